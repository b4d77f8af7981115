#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read one test VM's console log and turn it into test results.

Counts every KUnit test case (KTAP from the *_kunit.ko modules), every TAP
line of the userspace tests and every harness check (init.sh's `check`).
Fails the boot on a missing expected suite, on a boot that never reached
its end marker, and on any kernel splat, whose text is printed.

Results are appended to RESULTS, one line each: "ok NAME", "not ok NAME"
or "skip NAME".
"""

import argparse
import re
import sys

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\] ?")
MARK = re.compile(r"VLAPIC-HARNESS: (.*)$")
RESULT = re.compile(r"^(not ok|ok) (\d+) (?:- )?(.*?)(?: # (SKIP|skip)\b.*)?$")
SUBTEST = re.compile(r"^# Subtest: (\S+)")

# Kernel reports that fail the run wherever they appear.
SPLATS = [
    "BUG:", "WARNING:", "KASAN:", "UBSAN:", "Oops", "Call Trace",
    "possible circular locking", "inconsistent lock state",
    "possible recursive locking", "sleeping function called",
    "unreferenced object", "general protection fault", "Kernel panic",
    "ODEBUG:", "INFO: task", "INFO: rcu", "segfault at",
]


def indent_of(text):
    return len(text) - len(text.lstrip(" "))


class Log:
    def __init__(self, boot):
        self.boot = boot
        self.results = []      # (status, name)
        self.suites = set()
        self.splats = []       # list of list of lines
        self.marks = []
        self.failures = []     # (name, [diagnostic lines])

    def add(self, status, name, diag=()):
        self.results.append((status, name))
        if status == "not ok":
            self.failures.append((name, list(diag)))


def parse(path, boot):
    out = Log(boot)
    with open(path, errors="replace") as f:
        lines = [TIMESTAMP.sub("", l.rstrip("\r\n")) for l in f]

    section = None           # None, ("kunit", mod) or ("user", name)
    suite = None
    diag = []
    case_failed = False
    splat = None
    for line in lines:
        # Splats: keep the report and up to 40 lines after it for the
        # failure message. Every line is still parsed below: a splat in the
        # middle of a suite must not hide that suite's results.
        if any(s in line for s in SPLATS) and "VLAPIC-HARNESS" not in line:
            if splat is None:
                splat = []
                out.splats.append(splat)
        if splat is not None:
            splat.append(line)
            if len(splat) >= 40 or "---[ end trace" in line:
                splat = None

        m = MARK.search(line)
        if m:
            text = m.group(1)
            out.marks.append(text)
            r = re.match(r"(not ok|ok) (.*)", text)
            if r:
                out.add(r.group(1), r.group(2))
            elif text.startswith("kunit module "):
                section = ("kunit", text.split()[-1])
            elif text.startswith("userspace test "):
                section = ("user", text.split()[-1])
            elif text.startswith("userspace exit "):
                _, _, name, rc = text.split()
                if rc != "0":
                    out.add("not ok", f"{name}: exit status {rc}", diag)
                section = None
            else:
                section = None
            diag = []
            continue
        if section is None:
            continue

        body = line.lstrip(" ")
        ind = indent_of(line)
        if section[0] == "kunit":
            s = SUBTEST.match(body)
            if s and ind == 4:
                suite = s.group(1)
                out.suites.add(suite)
                case_failed = False
                diag = []
                continue
            r = RESULT.match(body)
            if r and suite is not None:
                status, _, name, skip = r.groups()
                if ind == 4:
                    full = f"{suite}.{name}"
                    if skip:
                        out.add("skip", full)
                    else:
                        out.add(status, full, diag)
                        case_failed |= status == "not ok"
                    diag = []
                elif ind == 0:
                    if status == "not ok" and not case_failed:
                        out.add("not ok", f"{suite} (suite)", diag)
                    suite = None
                    diag = []
                continue
            if suite is not None:
                diag.append(line)
        else:
            r = RESULT.match(line)
            if r:
                status, _, name, skip = r.groups()
                full = f"{section[1]}: {name}"
                out.add("skip" if skip else status, full, diag)
                diag = []
            else:
                diag.append(line)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--boot", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--expect-suite", action="append", default=[])
    ap.add_argument("--boot-rc", type=int, default=0)
    a = ap.parse_args()

    log = parse(a.log, a.boot)
    b = a.boot
    log.add("ok" if any(m.startswith("booted ") for m in log.marks)
            else "not ok", f"{b}: booted to userspace")
    ended = "end" in log.marks and a.boot_rc == 0
    log.add("ok" if ended else "not ok", f"{b}: boot reached its end")
    for s in a.expect_suite:
        log.add("ok" if s in log.suites else "not ok",
                f"{b}: suite {s} ran")
    log.add("not ok" if log.splats else "ok", f"{b}: no kernel splat")

    for name, diag in log.failures:
        print(f"FAIL {name}")
        for d in diag[-30:]:
            print(f"    {d}")
    for sp in log.splats:
        print(f"SPLAT in {b}:")
        for d in sp:
            print(f"    {d}")
    with open(a.results, "a") as f:
        for status, name in log.results:
            f.write(f"{status} {name}\n")
    bad = sum(1 for s, _ in log.results if s == "not ok")
    print(f"{b}: {len(log.results) - bad} results ok, {bad} failed, "
          f"suites: {', '.join(sorted(log.suites)) or 'none'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
