#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a hung test VM's CPUs are, before boot.sh kills it.

    hang-dump.py --port PORT --kernel IMAGE --console LOG [--moddir DIR]...

Attaches gdb to QEMU's gdb stub (boot.sh starts QEMU with one), prints
every CPU's registers and the words on its stack that are kernel or
module text, named from the kernel's System.map and the modules' own
symbols. The module load addresses come from the console: init.sh's
`module_mark` prints them when a plan loads a module. A kernel whose
console went silent (both CPUs spinning with interrupts off, or stuck in
a nested guest that never exits) leaves nothing else to go by. Prints
one line and exits 0 when gdb is not installed: the dump is a
diagnostic, never a result.
"""

import argparse
import bisect
import os
import re
import shutil
import subprocess
import sys

MODULE_MARK = re.compile(r"VLAPIC-HARNESS: module (\S+) ((?:\S+ 0x[0-9a-f]+ ?)+)")
ADDR = re.compile(r"0x(ffffffff[0-9a-f]{8})\b")


def system_map(kernel):
    d = os.path.dirname(os.path.abspath(kernel))
    cands = [os.path.join(d, "..", "..", "..", "System.map")]
    base = os.path.basename(kernel)
    if base.startswith("vmlinuz-"):
        cands.append(os.path.join(d, "System.map-" + base[len("vmlinuz-"):]))
    for c in cands:
        if os.path.exists(c):
            return c
    return None


def kernel_symbols(path):
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), parts[2]))
    return syms


def module_symbols(console, moddirs):
    """(address, name) for every text symbol of each module the console
    says was loaded, from the last load of each."""
    loads = {}
    try:
        with open(console, errors="replace") as f:
            for line in f:
                m = MODULE_MARK.search(line)
                if m:
                    toks = m.group(2).split()
                    loads[m.group(1)] = dict(zip(toks[0::2],
                                                 (int(a, 16) for a in toks[1::2])))
    except OSError:
        pass
    syms = []
    for name, secs in loads.items():
        ko = find_ko(name, moddirs)
        if not ko:
            for sec, addr in secs.items():
                syms.append((addr, f"[{name}]{sec}"))
            continue
        out = subprocess.run(["objdump", "-t", ko], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            m = re.match(r"([0-9a-f]{16}) .{7} (\S+)\s+[0-9a-f]{16} (\S+)$",
                         line)
            if m and m.group(2) in secs:
                syms.append((secs[m.group(2)] + int(m.group(1), 16),
                             f"[{name}]{m.group(3)}"))
    return syms


def find_ko(name, moddirs):
    wanted = {name + ".ko", name.replace("_", "-") + ".ko"}
    for d in moddirs:
        for root, _, files in os.walk(d):
            for f in files:
                if f in wanted:
                    return os.path.join(root, f)
    return None


def namer(syms):
    syms.sort()
    keys = [a for a, _ in syms]

    def name(addr):
        i = bisect.bisect_right(keys, addr) - 1
        if i < 0 or addr - keys[i] > 0x10000:
            return None
        return f"{syms[i][1]}+0x{addr - keys[i]:x}"
    return name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--moddir", action="append", default=[])
    a = ap.parse_args()

    if not shutil.which("gdb"):
        print("hang dump: gdb is not installed, no CPU state")
        return 0
    cmds = ["set pagination off", f"target remote 127.0.0.1:{a.port}",
            "info threads",
            "thread apply all info registers rip rsp rbp rax rbx rcx rdx "
            "rsi rdi eflags cs cr0 cr3 cr4 efer",
            "thread apply all x/96gx $rsp", "detach"]
    args = ["gdb", "-q", "-batch", "-nx"]
    for c in cmds:
        args += ["-ex", c]
    try:
        out = subprocess.run(args, capture_output=True, text=True,
                             timeout=60).stdout
    except subprocess.TimeoutExpired:
        print("hang dump: gdb did not answer in 60 s")
        return 0

    syms = []
    smap = system_map(a.kernel)
    if smap:
        syms += kernel_symbols(smap)
    syms += module_symbols(a.console, a.moddir)
    name = namer(syms) if syms else (lambda _: None)

    # The registers as gdb printed them, each address named.
    for line in out.splitlines():
        if line.startswith("0xffff") and ":" in line:
            continue            # stack words: summarised below
        m = ADDR.search(line)
        n = name(int(m.group(1), 16)) if m else None
        print("hang dump: " + line + (f"   <{n}>" if n else ""))
    # Per CPU, the stack words that are text: a rough backtrace.
    cpu = None
    trace = {}
    for line in out.splitlines():
        t = re.match(r"Thread \S+ \(Thread \S+ \((CPU#\d+)", line)
        if t:
            cpu = t.group(1)
            continue
        if cpu and line.startswith("0xffff") and ":" in line:
            for w in line.split(":", 1)[1].split():
                n = name(int(w, 16)) if w.startswith("0xffffffff") else None
                if n:
                    trace.setdefault(cpu, []).append(n)
    for c in sorted(trace):
        print(f"hang dump: {c} stack text: " + " < ".join(trace[c][:40]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
