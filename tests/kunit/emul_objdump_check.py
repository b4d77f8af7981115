#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the vlapic_decode table (tests/kunit/emul_decode_test.c) against
GNU objdump, the independent decoder.

For every entry: objdump disassembles the bytes in the entry's mode
(i386:x86-64, i386, i8086); its text for the first instruction must equal
the entry's AT&T string, its length the entry's .len (when .len > 0). For
entries that decode (.res = DEC_OK) the fields objdump's text shows are
derived from that text here, independently of the emulator, and must equal
the entry's: operation and ALU sub-operation, operand, memory and address
sizes, register operand, immediate, segment (explicit or by the default
rule), base, index, scale, displacement, RIP-relative, moffs, LOCK, REP,
whether memory or the register is the destination, sign extension.

  emul_objdump_check.py [check] [TABLE]   check every entry (exit 1 on a
                                          mismatch)
  emul_objdump_check.py emit MODE HEX...  print an entry derived from
                                          objdump, for review
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "emul_decode_test.c")

MACHINE = {
    "M64": ["-m", "i386:x86-64"],
    "M32": ["-m", "i386"],
    "M16": ["-m", "i8086"],
    "MR": ["-m", "i8086"],
    "MV": ["-m", "i8086"],
}
MODE_ADDR = {"M64": 8, "M32": 4, "M16": 2, "MR": 2, "MV": 2}

REGS = {}
for i, n in enumerate(["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"]):
    t = "T_" + n.upper()
    REGS["r" + n] = (t, 8)
    REGS["e" + n] = (t, 4)
    REGS[n] = (t, 2)
for n in ["al", "cl", "dl", "bl"]:
    REGS[n] = ("T_" + n[0].upper() + "X", 1)
for n in ["spl", "bpl", "sil", "dil"]:
    REGS[n] = ("T_" + n[:2].upper(), 1)
for n in ["ah", "ch", "dh", "bh"]:
    REGS[n] = ("T_" + n.upper(), 1)
for i in range(8, 16):
    t = "T_R%d" % i
    REGS["r%d" % i] = (t, 8)
    REGS["r%dd" % i] = (t, 4)
    REGS["r%dw" % i] = (t, 2)
    REGS["r%db" % i] = (t, 1)

SEGS = ["es", "cs", "ss", "ds", "fs", "gs"]
PREFIX_WORDS = {"lock", "rep", "repz", "repnz", "repe", "repne", "data16",
                "data32", "addr16", "addr32", "bnd", "notrack", "xacquire",
                "xrelease"} | set(SEGS)
SUFFIX = {"b": 1, "w": 2, "l": 4, "q": 8}
ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
UNARY = {"not": 2, "neg": 3, "inc": 4, "dec": 5}
BT = {"bt": 4, "bts": 5, "btr": 6, "btc": 7}


def objdump_all(mode, hexbytes):
    """Every (length, text) objdump prints for the bytes."""
    data = bytes(int(b, 16) for b in hexbytes.split())
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(
            ["objdump", "-D", "-b", "binary", "--insn-width=16"]
            + MACHINE[mode] + [f.name],
            check=True, capture_output=True, text=True).stdout
    insns = []
    for line in out.splitlines():
        m = re.match(r"^\s*[0-9a-f]+:\t([0-9a-f ]+?)\s*\t(.*)$", line)
        if m:
            text = re.sub(r"\s+#.*$", "", m.group(2))
            insns.append((len(m.group(1).split()), " ".join(text.split())))
    if not insns:
        raise SystemExit("objdump gave no instruction for %s" % hexbytes)
    return insns


def objdump(mode, hexbytes, parts=1):
    """
    The first instruction's length and text; with @parts > 1, that many of
    objdump's lines joined by " ; " and their lengths summed (objdump
    prints a REX that a later prefix cancels as a line of its own).
    """
    insns = objdump_all(mode, hexbytes)[:parts]
    return (sum(n for n, _ in insns), " ; ".join(t for _, t in insns))


def split_operands(s):
    ops, depth, cur = [], 0, ""
    for c in s:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            ops.append(cur)
            cur = ""
        else:
            cur += c
    if cur:
        ops.append(cur)
    return ops


def num(s):
    neg = s.startswith("-")
    v = int(s.lstrip("-"), 0)
    return -v if neg else v


def parse_mem(op):
    m = re.fullmatch(r"(?:%([a-z]s):)?(-?(?:0x[0-9a-f]+|\d+))?"
                     r"(?:\(([^)]*)\))?", op)
    if not m or (m.group(2) is None and m.group(3) is None):
        return None
    mem = {"seg": m.group(1), "disp": num(m.group(2)) if m.group(2) else 0,
           "base": None, "index": None, "scale": 1, "parens": m.group(3)
           is not None}
    if m.group(3) is not None:
        parts = m.group(3).split(",")
        if parts[0]:
            mem["base"] = parts[0].lstrip("%")
        if len(parts) > 1:
            mem["index"] = parts[1].lstrip("%")
            mem["scale"] = int(parts[2]) if len(parts) > 2 else 1
    return mem


def derive(mode, hexbytes, text):
    """The emul_insn fields objdump's text shows, as C initializers."""
    words = text.split(" ", 1)
    prefixes = []
    while words[0] in PREFIX_WORDS or words[0].startswith("rex"):
        prefixes.append(words[0])
        words = words[1].split(" ", 1)
    mnem = words[0]
    ops = split_operands(words[1]) if len(words) > 1 else []

    f = {}
    regs, imm, mems = [], None, []
    for o in ops:
        if o.startswith("$"):
            imm = num(o[1:])
        elif o.startswith("%") and ":" not in o:
            regs.append(REGS[o[1:]])
        else:
            mem = parse_mem(o)
            if mem is None:
                raise ValueError("operand %r" % o)
            mems.append(mem)
    mem_last = bool(mems) and parse_mem(ops[-1]) is not None

    size = None
    ext = None
    m = re.fullmatch(r"mov([sz])([bw])([wlq])", mnem)
    if m and len(mems) == 1:
        op = "MOV_LOAD"
        ext = (m.group(1) == "s", SUFFIX[m.group(2)])
    elif mnem in ("movslq", "movsxd"):
        op = "MOV_LOAD"
        ext = (mnem == "movslq", 4 if mnem == "movslq" or
               regs[0][1] != 2 else 2)
    elif re.fullmatch(r"movs[bwlq]?", mnem) and len(mems) == 2:
        op = "MOVS"
        size = SUFFIX.get(mnem[4:])
    elif re.fullmatch(r"(mov|movabs|movnti)[bwlq]?", mnem):
        op = "MOV_STORE" if mem_last else "MOV_LOAD"
        size = SUFFIX.get(re.sub(r"^(movabs|movnti|mov)", "", mnem))
    else:
        base = None
        for cand in (ALU + list(UNARY) + list(BT) +
                     ["test", "xchg", "cmpxchg", "xadd", "stos", "lods"]):
            if mnem == cand or (mnem[:-1] == cand and mnem[-1] in SUFFIX
                                and cand + mnem[-1] not in BT):
                base = cand
                if mnem != cand:
                    size = SUFFIX[mnem[-1]]
                break
        if base is None:
            raise ValueError("mnemonic %r" % mnem)
        if base in ALU:
            op = "ALU"
            f["alu"] = "EMUL_ALU_" + base.upper()
        elif base in UNARY:
            op = "UNARY"
            f["alu"] = "EMUL_UNARY_" + base.upper()
        elif base in BT:
            op = "BT"
            f["alu"] = "EMUL_BT_" + base.upper()
        else:
            op = base.upper()
    f["op"] = "EMUL_OP_" + op

    if regs:
        f["reg"] = regs[0][0]
        if op != "MOVS" and size is None:
            size = regs[-1][1] if ext else regs[0][1]
    if op == "BT" and regs:
        size = regs[0][1]
    f["ob"] = size
    f["mb"] = ext[1] if ext else size
    f["sx"] = 1 if ext and ext[0] else 0

    # destination
    if op in ("MOV_STORE", "XCHG", "UNARY", "CMPXCHG", "XADD", "STOS",
              "MOVS"):
        f["dst"] = 1
    elif op == "ALU":
        f["dst"] = 1 if mem_last and f["alu"] != "EMUL_ALU_CMP" else 0
    elif op == "BT":
        f["dst"] = 1 if f["alu"] != "EMUL_BT_BT" else 0
    else:
        f["dst"] = 0
    f["rdst"] = 1 if op in ("MOV_LOAD", "LODS") or (
        op == "ALU" and not mem_last) else 0

    if imm is not None:
        f["has_imm"] = 1
        f["imm"] = imm & ((1 << (8 * (size or 8))) - 1)

    f["lock"] = 1 if "lock" in prefixes else 0
    f["rep"] = 1 if op in ("STOS", "LODS", "MOVS") and any(
        p.startswith("rep") for p in prefixes) else 0

    # memory operand, segment, address size
    mem = mems[0]
    if op == "STOS":
        seg = "es"
    else:
        # an override objdump shows in the operand is the effective one;
        # one it prints as a word is too, except in 64-bit mode, where
        # ES/CS/SS/DS overrides have no effect
        seg = mem["seg"]
        if not seg and mode != "M64":
            for p in prefixes:
                if p in SEGS:
                    seg = p
    regnames = [r for r in (mem["base"], mem["index"]) if r]
    if regnames and regnames[0] in ("rip", "eip"):
        f["ab"] = 8 if regnames[0] == "rip" else 4
    elif regnames and regnames[0] in ("riz", "eiz"):
        f["ab"] = 8 if regnames[0] == "riz" else 4
    elif regnames:
        f["ab"] = REGS[regnames[0]][1]
    else:
        # no register to tell: the mode's size, swapped by a 67 prefix
        ab = MODE_ADDR[mode]
        if 0x67 in prefix_bytes(mode, hexbytes):
            ab = {8: 4, 4: 2, 2: 4}[ab]
        f["ab"] = ab
    if op in ("STOS", "LODS", "MOVS"):
        f["seg"] = "S_" + (seg or "ds").upper()
        return f
    opcode = bytes_after_prefixes(mode, hexbytes)
    if opcode in (0xa0, 0xa1, 0xa2, 0xa3):
        f["moffs"] = 1
        f["disp"] = mem["disp"]
        f["seg"] = "S_" + (seg or "ds").upper()
        return f
    if mem["base"] in ("rip", "eip"):
        f["rip"] = 1
    elif mem["base"]:
        f["base"] = REGS[mem["base"]][0]
    if mem["index"] and mem["index"] not in ("riz", "eiz"):
        f["index"] = REGS[mem["index"]][0]
        f["scale"] = mem["scale"]
    disp = mem["disp"]
    if not mem["base"] and not f.get("index"):
        # an absolute address: objdump prints it unsigned
        bits = 8 * f["ab"]
        if disp >= 1 << (bits - 1):
            disp -= 1 << bits
    f["disp"] = disp
    if not seg:
        ss = mem["base"] in ("rsp", "rbp", "esp", "ebp", "sp", "bp")
        seg = "ss" if ss else "ds"
    f["seg"] = "S_" + seg.upper()
    return f


def prefix_bytes(mode, hexbytes):
    out = []
    for b in (int(x, 16) for x in hexbytes.split()):
        if b in (0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0,
                 0xf2, 0xf3) or (mode == "M64" and 0x40 <= b <= 0x4f):
            out.append(b)
        else:
            break
    return out


def bytes_after_prefixes(mode, hexbytes):
    b = [int(x, 16) for x in hexbytes.split()]
    n = len(prefix_bytes(mode, hexbytes))
    return b[n] if n < len(b) else None


def c_value(k, v):
    if k in ("disp",):
        # LL: -0x80000000 alone would be an unsigned int in C
        return ("-0x%xLL" % -v) if v < 0 else "0x%x" % v
    if k == "imm":
        return "0x%x" % v
    return str(v)


ORDER = ["op", "alu", "ob", "mb", "ab", "reg", "dst", "rdst", "sx",
         "has_imm", "imm", "seg", "rep", "lock", "base", "index", "scale",
         "disp", "rip", "moffs"]
DEFAULTS = {"dst": "0", "rdst": "0", "sx": "0", "has_imm": "0", "imm": "0",
            "rep": "0", "lock": "0", "reg": "T_NONE", "base": "T_NONE",
            "index": "T_NONE", "scale": "1", "disp": "0", "rip": "0",
            "moffs": "0", "alu": "0"}


def normalize(fields):
    out = {}
    for k, v in fields.items():
        v = str(v).strip()
        if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)(ULL|LL|U)?", v):
            v = str(num(re.sub(r"(ULL|LL|U)$", "", v)))
        out[k] = v
    for k, v in DEFAULTS.items():
        out.setdefault(k, str(num(v)) if re.match(r"-?\d", v) else v)
    return out


ENTRY = re.compile(r'\{\s*(M64|M32|M16|MR|MV)\s*,\s*"([0-9a-f ]+)"\s*,\s*'
                   r'((?:"(?:[^"\\]|\\.)*"\s*)+),(.*?)\}\s*,', re.S)


def c_strings(s):
    """The text of adjacent C string literals."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))


def compress(text):
    """Runs of three or more equal words as WORD*N (prefix-heavy entries)."""
    out, words = [], text.split(" ")
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j] == words[i]:
            j += 1
        out.append("%s*%d" % (words[i], j - i) if j - i >= 3 else
                   " ".join(words[i:j]))
        i = j
    return " ".join(out)


def expand(text):
    """The inverse of compress()."""
    return re.sub(r"(\S+)\*(\d+)",
                  lambda m: " ".join([m.group(1)] * int(m.group(2))), text)


def c_literal(text):
    return '"%s"' % compress(text)


def check(path):
    src = open(path).read()
    begin = src.index("objdump-table begin")
    end = src.index("objdump-table end")
    bad = n = 0
    for m in ENTRY.finditer(src, begin, end):
        n += 1
        mode, hexbytes, att, rest = m.groups()
        att = expand(c_strings(att))
        fields = dict((k, v) for k, v in
                      re.findall(r"\.(\w+)\s*=\s*([^,]+?)\s*(?=,|$)",
                                 rest.strip().rstrip(",")))
        where = "%s %s (%s)" % (mode, hexbytes, att)
        length, text = objdump(mode, hexbytes, att.count(" ; ") + 1)
        if text != " ".join(att.split()):
            print("MISMATCH %s: objdump says %r" % (where, text))
            bad += 1
            continue
        want_len = num(fields.get("len", "0")) if re.match(
            r"-?\d", fields.get("len", "0")) else None
        if want_len is not None and want_len > 0 and want_len != length:
            print("MISMATCH %s: objdump length %d, table %d" %
                  (where, length, want_len))
            bad += 1
            continue
        if fields.get("res", "DEC_OK") != "DEC_OK":
            continue
        if want_len != length:
            print("MISMATCH %s: .len must be objdump's %d" % (where, length))
            bad += 1
            continue
        want = normalize({k: v for k, v in fields.items()
                          if k not in ("len", "res")})
        got = normalize(derive(mode, hexbytes, text.split(" ; ")[-1]))
        diff = ["%s: table %s, objdump %s" % (k, want.get(k), got.get(k))
                for k in ORDER if want.get(k) != got.get(k)]
        if diff:
            print("MISMATCH %s: %s" % (where, "; ".join(diff)))
            bad += 1
    print("%d entries checked against %s: %d mismatches" %
          (n, subprocess.run(["objdump", "--version"], capture_output=True,
                             text=True).stdout.splitlines()[0], bad))
    return 1 if bad or not n else 0


def emit(mode, hexbytes):
    insns = objdump_all(mode, hexbytes)
    parts = 1
    while insns[parts - 1][1].startswith("rex") and " " not in \
            insns[parts - 1][1] and parts < len(insns):
        parts += 1
    length, text = objdump(mode, hexbytes, parts)
    f = derive(mode, hexbytes, text.split(" ; ")[-1])
    parts = [".len = %d" % length]
    for k in ORDER:
        if k in f and f[k] is not None and str(f[k]) != DEFAULTS.get(k):
            parts.append(".%s = %s" % (k, c_value(k, f[k])))
    head = '\t{ %s, "%s",\n\t  %s,' % (mode, hexbytes, c_literal(text))
    line, lines = "\t  ", [head]
    for p in parts:
        if len(line) + len(p) + 2 > 72 and line.strip():
            lines.append(line.rstrip())
            line = "\t  "
        line += p + ", "
    lines.append(line.rstrip().rstrip(",") + " },")
    print("\n".join(lines))


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "emit":
        for h in args[2:] if len(args) > 2 else []:
            emit(args[1], h)
        sys.exit(0)
    if args and args[0] == "check":
        args = args[1:]
    sys.exit(check(args[0] if args else TABLE))
