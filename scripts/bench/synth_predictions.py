#!/usr/bin/env python3
"""Synthetic inputs of ImageNet val's shape for bagel's memory and speed checks.

Writes into OUT_DIR: images.txt (ILSVRC2012_val_XXXXXXXX.JPEG,class id), real.json (ReaL-like
label sets in val order, 6% empty) and MODELS files model_NNN.npy of int16 top-k class ids,
right at top-1 three times in four, like the 67 real models. Seeded: the same every run.

Usage: synth_predictions.py OUT_DIR [--models 300] [--top-k 10] [--images 50000]
Needs numpy.
"""
import argparse, json, os
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("out_dir")
parser.add_argument("--models", type=int, default=300)
parser.add_argument("--top-k", type=int, default=10)
parser.add_argument("--images", type=int, default=50_000)
args = parser.parse_args()
os.makedirs(args.out_dir, exist_ok=True)
rng = np.random.default_rng(2012)
n, k, classes = args.images, args.top_k, 1000

truth = rng.integers(0, classes, n)
with open(os.path.join(args.out_dir, "images.txt"), "w") as f:
    f.writelines(f"ILSVRC2012_val_{i + 1:08d}.JPEG,{c}\n" for i, c in enumerate(truth))

extra = rng.geometric(0.84, n) - 1            # most sets hold the truth alone
real = [[] if rng.random() < 0.063 else [int(t), *map(int, rng.integers(0, classes, e))]
        for t, e in zip(truth, extra)]
with open(os.path.join(args.out_dir, "real.json"), "w") as f:
    json.dump(real, f)


def has_repeats(top):
    ordered = np.sort(top, axis=1)
    return (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)


for m in range(args.models):
    top = rng.integers(0, classes, (n, k), dtype=np.int16)
    hit = rng.random(n) < 0.75
    top[hit, 0] = truth[hit]
    while (bad := has_repeats(top)).any():      # a ranking names each class once
        top[bad, 1:] = rng.integers(0, classes, (bad.sum(), k - 1), dtype=np.int16)
    np.save(os.path.join(args.out_dir, f"model_{m:03d}.npy"), top)
print(f"{args.out_dir}: {n} images, real.json, {args.models} models x top-{k}")
