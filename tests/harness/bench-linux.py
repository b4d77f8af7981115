#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The Linux guest's table: vlapic next to KVM, from one boot.

plan-bench.sh boots Debian's stock kernel as a guest of vlapic-vmm on each
backend (2 vCPUs, the busybox workload of tests/linux-guest, no reboot),
with --stats, between the marks "bench-linux begin BACKEND" and
"bench-linux end BACKEND status S wall T0 T1" (T0, T1: the test VM's
uptime). This prints, side by side: the guest's uptime when its init
started, the whole run's wall time, the guest's checks, the exits to the
VMM by reason (the same VMM on both: directly comparable), and the
in-kernel exits by reason where both irqchips count the same thing
(vlapic's run_exit_* and run_injected_intr; KVM's statistics: exits,
irq_exits, halt_exits, irq_window_exits, io_exits, irq_injections). KVM
does not count MSR or CPUID exits, nor APIC MMIO as such: its
insn_emulation (instructions emulated, APIC MMIO nearly all of them) is
shown next to vlapic's LAPIC and IOAPIC MMIO exits. Figures are
reported, not asserted: under TCG the times are emulation costs,
meaningful as ratios within the boot.

Usage: bench-linux.py CONSOLE_LOG
"""

import re
import sys

TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\] ?")
BEGIN = re.compile(r"bench-linux begin (\w+)")
END = re.compile(r"bench-linux end (\w+) status (\d+) wall ([\d.]+) ([\d.]+)")
INIT = re.compile(r"linux-guest: init reached at ([\d.]+) s uptime")
ROW = re.compile(r"^\s+([a-z][a-z_0-9]*)((?:\s+\d+)+)\s*$")
TAP = re.compile(r"^(not )?ok \d+ - ")

# (label, vlapic counters summed, KVM counters summed); None: not counted.
KERNEL_ROWS = [
    ("exits, all", ["run_exits"], ["exits"]),
    ("host interrupts", ["run_exit_intr"], ["irq_exits"]),
    ("HLT", ["run_exit_hlt"], ["halt_exits"]),
    ("interrupt window", ["run_exit_vintr"], ["irq_window_exits"]),
    ("port I/O", ["run_exit_io"], ["io_exits"]),
    ("APIC MMIO (KVM: instructions emulated)",
     ["run_exit_mmio_lapic", "run_exit_mmio_ioapic"], ["insn_emulation"]),
    ("MSR", ["run_exit_msr"], None),
    ("CPUID", ["run_exit_cpuid"], None),
    ("PAUSE (KVM: not intercepted on QEMU)", ["run_exit_pause"], None),
    ("interrupts injected", ["run_injected_intr"], ["irq_injections"]),
]


def parse(path):
    runs = {}
    cur = None
    section = ""
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIMESTAMP.sub("", raw.rstrip("\r\n"))
            m = BEGIN.search(line)
            if m:
                cur = {"init": None, "ok": 0, "notok": 0, "rows": {},
                       "status": None, "wall": None}
                runs[m.group(1)] = cur
                section = ""
                continue
            if cur is None:
                continue
            m = END.search(line)
            if m:
                cur["status"] = int(m.group(2))
                cur["wall"] = float(m.group(4)) - float(m.group(3))
                cur = None
                continue
            m = INIT.search(line)
            if m and cur["init"] is None:
                cur["init"] = float(m.group(1))
            m = TAP.match(line)
            if m:
                cur["notok" if m.group(1) else "ok"] += 1
                continue
            if not line.startswith(" ") and line.rstrip().endswith(":"):
                section = line.strip().rstrip(":")
                continue
            m = ROW.match(line)
            if m:
                total = int(m.group(2).split()[-1])
                key = (section.startswith("exits to the VMM"), m.group(1))
                cur["rows"].setdefault(key, total)
    return runs


def value(run, names, vmm=False):
    if names is None:
        return None
    got = [run["rows"].get((vmm, n)) for n in names]
    if all(g is None for g in got):
        return None
    return sum(g or 0 for g in got)


def cell(v, fmt="{:,}"):
    return "-" if v is None else fmt.format(v)


def ratio(a, b):
    if a is None or b is None or not b:
        return "-"
    return f"{a / b:.2f}"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    runs = parse(sys.argv[1])
    v, k = runs.get("vlapic"), runs.get("kvm")
    if not v or not k:
        print("bench-linux: no Linux guest run on %s" %
              " and ".join(b for b, r in (("vlapic", v), ("kvm", k)) if not r))
        return 1
    print("Linux guest (Debian's stock kernel, 2 vCPUs, the busybox "
          "workload), vlapic and KVM in one boot")
    print(f"| {'':54} | {'vlapic':>12} | {'KVM':>12} | {'ratio':>6} |")
    print(f"|{'-' * 56}|{'-' * 14}|{'-' * 14}|{'-' * 8}|")

    def row(label, a, b, fmt="{:,}"):
        print(f"| {label:54} | {cell(a, fmt):>12} | {cell(b, fmt):>12} | "
              f"{ratio(a, b):>6} |")

    row("guest uptime when init started (s)", v["init"], k["init"], "{:.2f}")
    row("whole run, test VM wall time (s)", v["wall"], k["wall"], "{:.2f}")
    row("guest checks ok", v["ok"], k["ok"])
    row("guest checks not ok", v["notok"], k["notok"])
    row("VMM exit status (1: all passed)", v["status"], k["status"])
    names = sorted({n for r in (v, k) for (vmm, n) in r["rows"] if vmm})
    for n in names:
        a, b = value(v, [n], True), value(k, [n], True)
        if a or b:
            row(f"exits to the VMM: {n}", a, b)
    for label, vn, kn in KERNEL_ROWS:
        row(f"in the kernel: {label}", value(v, vn), value(k, kn))
    ok = all(r["status"] == 1 and r["notok"] == 0 for r in (v, k))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
