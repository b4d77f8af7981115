#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the guest programs' TAP output on vlapic and on KVM.

plan-guests.sh runs each guest program under vlapic-vmm on the module's
run loop and then on KVM, in the same boot. A difference between the two
is a finding: either KVM deviates from the SDM (then the case is listed,
with the SDM section, in docs/kvm-deviations.md) or vlapic does
(then vlapic's own line already failed). Results appended to RESULTS:

  ok guests: NAME: vlapic and KVM agree (D documented KVM deviations)
  not ok guests: NAME: <the first undocumented difference>
  not ok guests: NAME: a case skips on vlapic but not on KVM
  not ok guests: NAME: KVM run missing

Usage: compare-guests.py CONSOLE_LOG DEVIATIONS RESULTS
"""

import re
import sys

# The plan skipped KVM for a program (plan-vmm.sh: kvm_not_in_check).
NOT_RUN = "not run on KVM by make check"
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\] ?")
MARK = re.compile(r"VLAPIC-HARNESS: (.*)$")
TAP = re.compile(r"^(not ok|ok) (\d+) (?:- )?(.*?)(?: # (SKIP|skip)\b(.*))?$")


def load_deviations(path):
    """The table of docs/kvm-deviations.md: program, case regex, SDM, why."""
    devs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("|") or line.startswith("|---"):
                continue
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            # An escaped pipe inside a cell is the regex's alternation.
            if len(cells) != 4 or cells[0] == "Program":
                continue
            prog, pattern, sdm, why = cells
            pattern = pattern.strip("`").replace("\\|", "|")
            devs.append((prog, re.compile(pattern), sdm, why))
    return devs


def parse(path):
    runs = {}          # name -> {"vlapic": [...], "kvm": [...]}
    cur, side = None, None
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIMESTAMP.sub("", raw.rstrip("\r\n"))
            m = MARK.search(line)
            if m:
                text = m.group(1).split()
                if text[:2] == ["userspace", "test"] and \
                        text[2].startswith("guest-"):
                    cur, side = text[2], "vlapic"
                    runs.setdefault(cur, {"vlapic": [], "kvm": None})
                elif text[:3] == ["guest-kvm", "not", "run"]:
                    runs.setdefault(text[3], {"vlapic": [], "kvm": None})
                    runs[text[3]]["kvm"] = NOT_RUN
                    cur, side = None, None
                elif text[:2] == ["guest-kvm", "begin"]:
                    cur, side = text[2], "kvm"
                    runs.setdefault(cur, {"vlapic": [], "kvm": None})
                    runs[cur]["kvm"] = []
                else:
                    cur, side = None, None
                continue
            if cur is None:
                continue
            if side == "kvm":
                if not line.startswith("KVM: "):
                    continue
                line = line[5:]
            t = TAP.match(line)
            if t:
                runs[cur][side].append(
                    (t.group(1), int(t.group(2)), t.group(3).strip(),
                     t.group(4) is not None))
    return runs


def program_of(name):
    return name.split("-")[1]


def main():
    log, devpath, results = sys.argv[1:4]
    devs = load_deviations(devpath)
    runs = parse(log)
    out = []
    if not runs:
        out.append(("not ok", "guests: no guest program ran"))
    for name in sorted(runs):
        v, k = runs[name]["vlapic"], runs[name]["kvm"]
        prog = program_of(name)
        if k is None:
            out.append(("not ok", f"guests: {name}: KVM run missing"))
            continue
        if k is NOT_RUN:
            dev = [d for d in devs if d[0] == prog and d[1].search(NOT_RUN)]
            if dev:
                out.append(("ok", f"guests: {name}: not run on KVM here "
                            f"({dev[0][3]})"))
            else:
                out.append(("not ok", f"guests: {name}: not run on KVM, "
                            "and docs/kvm-deviations.md does not say why"))
            continue
        # A case may skip on vlapic only for the configuration both
        # backends get from the VMM (KVM skips it too).
        kskip = {(n, d) for _, n, d, sk in k if sk}
        vskip = [(n, d) for _, n, d, sk in v if sk and (n, d) not in kskip]
        if vskip:
            out.append(("not ok", f"guests: {name}: case {vskip[0][0]} "
                        f"'{vskip[0][1]}' skips on vlapic only"))
            continue
        kv = {(n, d): s for s, n, d, _ in k}
        documented = 0
        problem = None
        for status, num, desc, _ in v:
            ks = kv.pop((num, desc), None)
            if ks is None and not kv and status == "ok":
                # KVM's run ended here (it hung until --timeout): the
                # case it did not get through must be documented.
                dev = [d for d in devs if d[0] == prog and d[1].search(desc)]
                if dev:
                    rest = len(v) - v.index((status, num, desc, _))
                    documented += 1
                    print(f"KVM deviation in {name}: stops at '{desc}' "
                          f"({dev[0][2]}: {dev[0][3]}); {rest} cases "
                          "not run on KVM")
                else:
                    problem = (f"KVM's run ends before case {num} "
                               f"'{desc}', and docs/kvm-deviations.md "
                               "does not say why")
                break
            if ks is None:
                problem = f"case {num} '{desc}' has no KVM counterpart"
                break
            if ks == status:
                continue
            if status == "ok" and ks == "not ok":
                dev = [d for d in devs if d[0] == prog and d[1].search(desc)]
                if dev:
                    documented += 1
                    print(f"KVM deviation in {name}: '{desc}' "
                          f"({dev[0][2]}: {dev[0][3]})")
                    continue
                problem = (f"case {num} '{desc}': ok on vlapic, not ok on "
                           "KVM, and not in docs/kvm-deviations.md")
                break
            problem = f"case {num} '{desc}': not ok on vlapic, ok on KVM"
            break
        if problem is None and kv:
            (num, desc), _ = sorted(kv.items())[0]
            problem = f"KVM ran case {num} '{desc}' that vlapic did not"
        if problem:
            out.append(("not ok", f"guests: {name}: {problem}"))
        else:
            out.append(("ok", f"guests: {name}: vlapic and KVM agree "
                        f"({documented} documented KVM deviations)"))
    with open(results, "a") as f:
        for status, text in out:
            f.write(f"{status} {text}\n")
    for status, text in out:
        print(f"{status} {text}")
    return 1 if any(s == "not ok" for s, _ in out) else 0


if __name__ == "__main__":
    sys.exit(main())
