#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark guest's table: vlapic next to KVM, from one boot.

plan-bench.sh runs tests/guest/bench.c under vlapic-vmm once per case and
backend, with --stats. For each case this prints the guest's cycles per
iteration (its own RDTSC) on both and their ratio, and the exits per
iteration: the run's exits (vlapic: run_exits; KVM: its "exits"
statistic), minus those of the baseline case "none" (boot and console),
over the iterations. Figures are reported, not asserted: under TCG they
are emulation costs, meaningful as ratios within the boot.

Usage: bench-guests.py CONSOLE_LOG
"""

import re
import sys

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\] ?")
BEGIN = re.compile(r"bench-guest begin (\w+) (\w+)")
END = re.compile(r"bench-guest end (\w+) (\w+) status (\d+)")
RESULT = re.compile(r"^bench (\w+) iters (\d+) cycles (\d+)")
EXITS = {"vlapic": re.compile(r"^\s+run_exits\s+(.*)$"),
         "kvm": re.compile(r"^\s+exits\s+(.*)$")}


def parse(path):
    runs = {}
    cur = None
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIMESTAMP.sub("", raw.rstrip("\r\n"))
            m = BEGIN.search(line)
            if m:
                cur = {"backend": m.group(1), "iters": 0, "cycles": None,
                       "exits": None, "ok": False}
                runs[(m.group(1), m.group(2))] = cur
                continue
            if cur is None:
                continue
            m = END.search(line)
            if m:
                cur["status"] = int(m.group(3))
                cur = None
                continue
            m = RESULT.match(line)
            if m:
                cur["iters"] = int(m.group(2))
                cur["cycles"] = int(m.group(3))
            if re.match(r"^ok \d+ - bench", line):
                cur["ok"] = True
            m = EXITS[cur["backend"]].match(line)
            if m:
                # One column per vCPU, then the total; a single vCPU has one.
                cur["exits"] = int(m.group(1).split()[-1])
    return runs


def main():
    runs = parse(sys.argv[1])
    cases = []
    for _, c in runs:
        if c not in cases and c != "none":
            cases.append(c)
    base = {b: (runs.get((b, "none")) or {}).get("exits") for b in
            ("vlapic", "kvm")}
    print("bench-guests: cycles and exits per iteration, guest RDTSC, "
          "same boot")
    print(f"{'case':<12} {'vlapic cyc':>11} {'KVM cyc':>11} {'ratio':>6} "
          f"{'vlapic ex':>10} {'KVM ex':>8}")
    bad = 0
    for c in cases:
        cols = []
        for b in ("vlapic", "kvm"):
            r = runs.get((b, c))
            if not r or not r["ok"] or not r["iters"]:
                cols.append((None, None))
                bad += 1
                continue
            ex = None
            if r["exits"] is not None and base[b] is not None:
                ex = (r["exits"] - base[b]) / r["iters"]
            cols.append((r["cycles"], ex))
        (vc, ve), (kc, ke) = cols
        ratio = f"{vc / kc:.2f}" if vc and kc else "-"
        print(f"{c:<12} {vc if vc is not None else '-':>11} "
              f"{kc if kc is not None else '-':>11} {ratio:>6} "
              f"{f'{ve:.2f}' if ve is not None else '-':>10} "
              f"{f'{ke:.2f}' if ke is not None else '-':>8}")
    print(f"bench-guests: {len(cases)} cases, {bad} runs without a result")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
