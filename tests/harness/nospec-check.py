#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Spectre v1 (bounds check bypass) lint for the module's kernel code.

Every array subscript in the kernel sources (lapic/ ioapic/ vm/ run/
emul/ svm/ vmx/ and include/vlapic/) must be one of:

  - a constant: the index names no lower-case identifier (APIC_ID >> 4,
    EMUL_RAX, VLAPIC_VM_STAT_MSI, 3);
  - clamped: the subscript calls array_index_nospec() (or a static
    helper of the same file that returns array_index_nospec()), or every
    variable in it was assigned from one in the same function;
  - made of loop counters: every variable in it is the counter of a for
    loop (or for_each_*() iterator) of the same function (a loop bound mispredicted past its end is
    the same for every kernel loop; the index itself is not an input);
  - listed in tests/harness/nospec-allow.txt as
        FILE FUNCTION INDEX  reason
    where INDEX is the subscript with its spaces removed and the reason
    says why the value cannot be steered (masked to the table size, of a
    type no wider than the table, computed by the module, ...).

Anything else fails: a new table lookup on a guest- or VMM-reachable path
must be clamped or explained. Allow-list entries that match nothing fail
too, so the list stays true. See docs/security.md.
"""

import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIRS = ["lapic", "ioapic", "vm", "run", "emul", "svm", "vmx",
        "include/vlapic"]
ALLOW = os.path.join(ROOT, "tests", "harness", "nospec-allow.txt")

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
KEYWORDS = {"sizeof", "typeof", "u8", "u16", "u32", "u64", "int",
            "unsigned", "long", "BIT", "BIT_ULL", "ARRAY_SIZE"}


def strip(text):
    """Blank comments, strings and preprocessor lines; keep offsets."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            j = i
            while True:
                e = text.find("\n", j)
                e = n if e < 0 else e
                if e > 0 and text[e - 1] == "\\":
                    j = e + 1
                    continue
                break
            blank(i, e)
            i = e
        else:
            i += 1
    return "".join(out)


def functions(code):
    """Yield (name, start, end) of each function body (kernel style:
    the opening and closing braces of a definition are in column 0)."""
    for m in re.finditer(r"^\{", code, re.M):
        head = code[:m.start()]
        # the definition's name: the identifier before the last '(' at
        # depth 0 of the lines that precede the brace
        depth, k = 0, len(head) - 1
        while k >= 0:
            if head[k] == ")":
                depth += 1
            elif head[k] == "(":
                depth -= 1
                if depth == 0:
                    break
            k -= 1
        name = IDENT.findall(head[:k])
        end = code.find("\n}", m.start())
        yield (name[-1] if name else "?"), m.start(), (len(code) if end < 0
                                                         else end)


def subscripts(body):
    """Yield (index expression, offset) of each subscript in @body."""
    i = 0
    while True:
        i = body.find("[", i)
        if i < 0:
            return
        k = i - 1
        while k >= 0 and body[k] in " \t":
            k -= 1
        depth, j = 1, i + 1
        while j < len(body) and depth:
            depth += {"[": 1, "]": -1}.get(body[j], 0)
            j += 1
        expr = body[i + 1:j - 1]
        # a subscript follows an identifier, ')' or ']'; designated
        # initializers and asm operand names follow '{', ',', ':' or '('
        if k >= 0 and (body[k].isalnum() or body[k] in "_)]"):
            yield expr, i
        i += 1


def names(expr):
    return [w for w in IDENT.findall(expr)
            if w not in KEYWORDS and not w.isupper()
            and not re.fullmatch(r"[A-Z0-9_]+", w)]


def members(expr):
    """Identifiers of @expr that are not struct members (after -> or .)."""
    out = []
    for m in IDENT.finditer(expr):
        w = m.group(0)
        before = expr[:m.start()].rstrip()
        if before.endswith("->") or before.endswith("."):
            continue
        out.append(w)
    return out


def check_file(path, allow, used):
    rel = os.path.relpath(path, ROOT)
    with open(path) as f:
        code = strip(f.read())
    bad = []
    clamps = ["array_index_nospec"]
    for func, start, end in functions(code):
        if re.search(r"\breturn\s+array_index_nospec\(", code[start:end]):
            clamps.append(func)
    clamp = r"\b(?:" + "|".join(clamps) + r")\("
    for func, start, end in functions(code):
        body = code[start:end]
        clamped = set(re.findall(
            r"\b([A-Za-z_]\w*)\s*=\s*" + clamp, body))
        counters = set(re.findall(
            r"\bfor\s*\(\s*([A-Za-z_]\w*)\s*=", body))
        counters |= set(re.findall(
            r"\bfor_each_\w+\(\s*([A-Za-z_]\w*)\s*,", body))
        for expr, off in subscripts(body):
            key = re.sub(r"\s+", "", expr)
            if not names(expr) or re.search(clamp, expr):
                continue
            vars_ = [w for w in members(expr) if w in names(expr)]
            if vars_ and all(v in clamped for v in vars_):
                continue
            if "->" not in expr and "." not in expr and vars_ and \
                    all(v in counters for v in vars_):
                continue
            if (rel, func, key) in allow:
                used.add((rel, func, key))
                continue
            line = code.count("\n", 0, start + off) + 1
            bad.append(f"{rel}:{line}: {func}(): index [{expr.strip()}] "
                       "is neither clamped with array_index_nospec() nor "
                       "allow-listed")
    return bad


def load_allow():
    allow = {}
    with open(ALLOW) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split(None, 3)
            if len(parts) < 4:
                sys.exit(f"{ALLOW}:{n}: want FILE FUNCTION INDEX reason")
            allow[tuple(parts[:3])] = n
    return allow


def main():
    allow = load_allow()
    used = set()
    bad = []
    files = []
    for d in DIRS:
        for dirpath, _, fnames in os.walk(os.path.join(ROOT, d)):
            files += [os.path.join(dirpath, f) for f in fnames
                      if f.endswith((".c", ".h"))]
    for path in sorted(files):
        bad += check_file(path, allow, used)
    for key, n in sorted(allow.items(), key=lambda kv: kv[1]):
        if key not in used:
            bad.append(f"{os.path.relpath(ALLOW, ROOT)}:{n}: "
                       f"{' '.join(key)} matches no subscript")
    for b in bad:
        print(b)
    if bad:
        print(f"nospec: {len(bad)} findings (docs/security.md)")
        return 1
    print(f"nospec: {len(files)} files, every guest-reachable index "
          "clamped or explained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
