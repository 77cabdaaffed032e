#!/usr/bin/env python3
"""Lists the imports that run up bagel's layers (src/lib.rs) and the files that import each
other in a circle: `python3 scripts/layers.py [SRC]`; prints nothing but the counts when clean.

A file depends on another when it names it: `use` lines (groups flattened, re-exports followed
to the file that defines the item) and inline `crate::`/`super::` paths, comments and the
`#[cfg(test)] mod tests` part left out. A module declaring or re-exporting its own children is
the tree, not a dependency. An upward import goes from a module to one of a higher layer;
a circle is a strongly connected set of two or more files."""
import os, re, sys
from collections import defaultdict
SRC = sys.argv[1] if len(sys.argv) > 1 else "src"
# Bottom up, as src/lib.rs has them; modules on one line share a layer.
LAYERS = [line.split() for line in """
error numbers names progress durable
verdict vocab
data
store
import
metrics
compare charts
panel
export
imaging
team
sample
desk
cli
""".strip().splitlines()]

def modpath(f):
    p = os.path.relpath(f, SRC)[:-3].split(os.sep)
    if p[-1] in ("mod", "lib", "main"): p = p[:-1]
    return p
files = {}
for root, _, fs in os.walk(SRC):
    for f in fs:
        if f.endswith(".rs"):
            full = os.path.join(root, f)
            files[tuple(modpath(full))] = full
def resolve(parts):
    for n in range(len(parts), 0, -1):
        if tuple(parts[:n]) in files: return tuple(parts[:n])
    return None
def strip_tests(text):
    i = text.find("#[cfg(test)]\nmod tests")
    return text if i < 0 else text[:i]
def expand_use(text):
    # flatten `use crate::a::{b, c::{d}}` groups to paths
    out = []
    for m in re.finditer(r"\buse\s+(crate|super|self)((?:::[^;]*?)?);", text, re.S):
        head, rest = m.group(1), m.group(2)
        def walk(prefix, s):
            s = s.strip()
            if s.startswith("::"): s = s[2:]
            if s.startswith("{"):
                depth, cur, items = 0, "", []
                for ch in s[1:-1]:
                    if ch == "," and depth == 0: items.append(cur); cur = ""; continue
                    depth += ch == "{"; depth -= ch == "}"; cur += ch
                items.append(cur)
                for it in items:
                    if it.strip(): walk(prefix, it)
                return
            path = s.split(" as ")[0].strip()
            if "{" in path:
                pre, grp = path.split("{", 1)
                walk(prefix + [p for p in pre.split("::") if p], "{" + grp)
            else:
                out.append((head, prefix + [p for p in path.split("::") if p]))
        walk([], rest)
    return out
def absolute(mp, f, head, p):
    if head == "crate": return list(p)
    if head == "super":
        base = list(mp[:-1])
        while p and p[0] == "super": p = p[1:]; base = base[:-1]
        return base + list(p)
    return list(mp) + list(p)
def source(mp, f):
    """The file's text without its tests; in a module's root, `use child::` reads `use self::child::`."""
    text = re.sub(r"//[^\n]*", "", strip_tests(open(f).read()))
    if f.endswith(("mod.rs", "lib.rs")) or os.path.isdir(f[:-3]):
        for child in {m[len(mp)] for m in files if len(m) == len(mp) + 1 and m[:len(mp)] == mp}:
            text = re.sub(r"\b(pub(?:\([a-z]+\))? )?use %s::" % child, lambda m: (m.group(1) or "") + "use self::%s::" % child, text)
    return text
aliases = {}
for mp, f in files.items():
    names = {}
    for head, p in expand_use(source(mp, f)):
        if p and p[-1] not in ("self", "*"):
            names[p[-1]] = absolute(mp, f, head, p)
    aliases[mp] = names
def follow(full, depth=0):
    """The file a path's item is defined in, through `use` re-exports in the module it names."""
    t = resolve(full)
    if t is None or depth > 5: return t
    rest = full[len(t):]
    if rest and rest[0] in aliases.get(t, {}):
        target = aliases[t][rest[0]] + rest[1:]
        if target != full: return follow(target, depth + 1) or t
    return t
edges = defaultdict(set)
for mp, f in files.items():
    text = source(mp, f)
    paths = expand_use(text)
    for m in re.finditer(r"(?<![\w:])crate((?:::\w+)+)", text):
        paths.append(("crate", m.group(1).split("::")[1:]))
    for m in re.finditer(r"(?<![\w:])super((?:::\w+)+)", text):
        paths.append(("super", m.group(1).split("::")[1:]))
    for head, p in paths:
        full = absolute(mp, f, head, p)
        t = follow(full)
        # a module declaring or re-exporting its own children is the tree, not a dependency
        if t and t != mp and t != () and t[:len(mp)] != mp:
            edges[mp].add(t)
def rank(m):
    for i, layer in enumerate(LAYERS):
        if m[0] in layer: return i
    return None
up = []
for a, ts in edges.items():
    for b in ts:
        ra, rb = rank(a), rank(b)
        if ra is None or rb is None: print("not in a layer:", a, b); continue
        if rb > ra: up.append(("/".join(a), "/".join(b)))
for a, b in sorted(up): print("upward:", a, "->", b)
print("upward imports:", len(up))
# Tarjan's strongly connected components
index, low, stack, on, sccs = {}, {}, [], set(), []
sys.setrecursionlimit(10000)
def sc(v):
    index[v] = low[v] = len(index); stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index: sc(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v: break
        if len(c) > 1: sccs.append(c)
for v in list(files):
    if v not in index: sc(v)
for c in sccs: print("circle:", sorted("/".join(x) for x in c))
print("circles (file-level SCCs > 1):", len(sccs))
