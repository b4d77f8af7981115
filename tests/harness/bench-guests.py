#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark guest's table: vlapic next to KVM, from one boot.

plan-bench.sh runs tests/guest/bench.c under vlapic-vmm once per case and
backend, with --stats. For each case this prints the guest's cycles per
iteration (its own RDTSC) on both and their ratio, and the exits per
iteration: the run's exits (vlapic: run_exits; KVM: its "exits"
statistic), minus those of the baseline case "none" (boot and console),
over the iterations. A second pair of columns ("ex*") leaves out
the exits for host interrupts (vlapic: run_exit_intr; KVM: irq_exits):
the host's timer ticks and other devices land in a case at random, so
only these counts are the same from run to run and compare exactly; the
kicks of the IPI cases are host interrupts too and are in the first pair
only. Figures are reported, not asserted: under TCG the cycles are
emulation costs, meaningful as ratios within the boot.

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
HOST = {"vlapic": re.compile(r"^\s+run_exit_intr\s+(.*)$"),
        "kvm": re.compile(r"^\s+irq_exits\s+(.*)$")}


def parse(path):
    runs = {}
    cur = None
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIMESTAMP.sub("", raw.rstrip("\r\n"))
            m = BEGIN.search(line)
            if m:
                cur = {"backend": m.group(1), "iters": 0, "cycles": None,
                       "exits": None, "host": None, "ok": False}
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
            m = HOST[cur["backend"]].match(line)
            if m:
                cur["host"] = int(m.group(1).split()[-1])
    return runs


def main():
    runs = parse(sys.argv[1])
    cases = []
    for _, c in runs:
        if c not in cases and c != "none":
            cases.append(c)
    base = {b: runs.get((b, "none")) or {} for b in ("vlapic", "kvm")}
    print("bench-guests: cycles and exits per iteration, guest RDTSC, "
          "same boot")
    print(f"{'case':<12} {'vlapic cyc':>11} {'KVM cyc':>11} {'ratio':>6} "
          f"{'vlapic ex':>10} {'KVM ex':>8} {'vlapic ex*':>10} {'KVM ex*':>8}")
    bad = 0
    for c in cases:
        cols = []
        for b in ("vlapic", "kvm"):
            r = runs.get((b, c))
            if not r or not r["ok"] or not r["iters"]:
                cols.append((None, None, None))
                bad += 1
                continue
            ex = gex = None
            b0 = base[b]
            if r["exits"] is not None and b0.get("exits") is not None:
                ex = (r["exits"] - b0["exits"]) / r["iters"]
                if r["host"] is not None and b0.get("host") is not None:
                    gex = (r["exits"] - r["host"] - b0["exits"] +
                           b0["host"]) / r["iters"]
            cols.append((r["cycles"], ex, gex))
        (vc, ve, vg), (kc, ke, kg) = cols
        ratio = f"{vc / kc:.2f}" if vc and kc else "-"
        print(f"{c:<12} {vc if vc is not None else '-':>11} "
              f"{kc if kc is not None else '-':>11} {ratio:>6} "
              f"{f'{ve:.2f}' if ve is not None else '-':>10} "
              f"{f'{ke:.2f}' if ke is not None else '-':>8} "
              f"{f'{vg:.3f}' if vg is not None else '-':>10} "
              f"{f'{kg:.3f}' if kg is not None else '-':>8}")
    print("ex*: without the exits for host interrupts (timer ticks, kicks)")
    print(f"bench-guests: {len(cases)} cases, {bad} runs without a result")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
