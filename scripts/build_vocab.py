#!/usr/bin/env python3
"""Build bagel's built-in ImageNet-1k class vocabulary (assets/*.csv).

Sources (package registries only, so any machine of the project can rerun it):
  * the 1000 wnids in standard (sorted-wnid) order: timm/data/_info/imagenet_synsets.txt
    from the PyPI `timm` wheel (pinned below, checked by sha256);
  * names, glosses and the hypernym graph: WordNet 3.0 data.noun from Debian's
    `wordnet-base` (ImageNet wnid nXXXXXXXX is the noun synset at byte offset XXXXXXXX).

Usage:  apt-get install -y wordnet-base && python3 scripts/build_vocab.py
        [--synsets imagenet_synsets.txt|timm-*.whl] [--wordnet data.noun] [--out assets]
Standard library only; output is byte-identical on every rerun.
"""
import argparse
import csv
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TIMM_VERSION = "1.0.31"
TIMM_WHEEL = f"timm-{TIMM_VERSION}-py3-none-any.whl"
TIMM_SHA256 = "5bd50f7d0fe6d09bf9285ac2523234a1b7e6bf075c0be3e7aed09139fcb617c7"
SYNSETS_IN_WHEEL = "timm/data/_info/imagenet_synsets.txt"
ROOT = "n00001740"      # entity.n.01
ORGANISM = "n00004475"  # organism.n.01
# Pairs of classes that are near-duplicates in ImageNet-1k (same object, two labels).
COLLAPSED = [(435, 876), (620, 681), (657, 744), (638, 639), (836, 837)]
REPO = Path(__file__).resolve().parent.parent


def read_wnids(path):
    """wnid list from the synsets text file, or from inside a timm wheel."""
    if path is None:
        # No file given: fetch the pinned wheel with pip (a registry, so allowed everywhere).
        with tempfile.TemporaryDirectory(prefix="bagel-timm-") as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                            f"timm=={TIMM_VERSION}", "-d", tmp], check=True)
            return read_wnids(Path(tmp) / TIMM_WHEEL)
    path = Path(path)
    if path.suffix == ".whl":
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if path.name == TIMM_WHEEL and digest != TIMM_SHA256:
            sys.exit(f"{path}: sha256 {digest} != pinned {TIMM_SHA256}")
        with zipfile.ZipFile(path) as z:
            text = z.read(SYNSETS_IN_WHEEL).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    wnids = [line.strip() for line in text.splitlines() if line.strip()]
    # "Standard order" is sorted-wnid order; fail loudly if the source ever changes.
    assert len(wnids) == 1000 and wnids == sorted(wnids), "unexpected synsets list"
    return wnids


def read_wordnet(path):
    """{wnid: (lemmas, gloss, hypernym wnids)} for every noun synset in data.noun."""
    synsets = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("  "):  # license header lines start with two spaces
                continue
            data, _, gloss = line.partition(" | ")
            fields = data.split()
            # offset lex_filenum ss_type w_cnt(hex) [word lex_id]* p_cnt [sym offset pos st]*
            w_cnt = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(w_cnt)]
            p = 4 + 2 * w_cnt
            p_cnt = int(fields[p])
            parents = []
            for i in range(p_cnt):
                sym, off, pos = fields[p + 1 + 4 * i: p + 4 + 4 * i]
                # "@" hypernym and "@i" instance hypernym both lead towards the root.
                if sym in ("@", "@i") and pos == "n":
                    parents.append("n" + off)
            synsets["n" + fields[0]] = (lemmas, gloss.strip(), parents)
    return synsets


def hypernym_paths(wnid, synsets, memo):
    """Every root-first path from entity down to wnid (WordNet nouns form a DAG)."""
    if wnid not in memo:
        parents = synsets[wnid][2]
        if not parents:
            assert wnid == ROOT, f"{wnid} has no hypernym but is not entity"
            memo[wnid] = [[wnid]]
        else:
            memo[wnid] = [p + [wnid] for par in parents for p in hypernym_paths(par, synsets, memo)]
    return memo[wnid]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synsets", help=f"imagenet_synsets.txt or {TIMM_WHEEL} "
                    "(default: pip download the pinned wheel)")
    ap.add_argument("--wordnet", default="/usr/share/wordnet/data.noun",
                    help="WordNet 3.0 data.noun (Debian package wordnet-base)")
    ap.add_argument("--out", default=REPO / "assets", type=Path)
    args = ap.parse_args()

    wnids = read_wnids(args.synsets)
    synsets = read_wordnet(args.wordnet)
    memo = {}
    args.out.mkdir(parents=True, exist_ok=True)

    # lineterminator "\n" so the files do not depend on csv's default "\r\n".
    with open(args.out / "imagenet1k_classes.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["index", "wnid", "names", "gloss", "kind", "hypernym_paths"])
        for index, wnid in enumerate(wnids):
            lemmas, gloss, _ = synsets[wnid]
            paths = sorted(" ".join(p) for p in hypernym_paths(wnid, synsets, memo))
            kind = "organism" if any(ORGANISM in p.split() for p in paths) else "object"
            w.writerow([index, wnid, ", ".join(lemmas), gloss, kind, "|".join(paths)])

    with open(args.out / "collapsed_classes.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["a", "b"])
        w.writerows(COLLAPSED)


if __name__ == "__main__":
    main()
