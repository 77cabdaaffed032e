#!/usr/bin/env bash
# `bagel compare`, whole process, side by side with the numpy anchor in one hyperfine run:
#   numpy:  ../shared/bench/numpy_baseline.py (67 models' top-5 on ImageNet val: load the files
#           and labels, top-1, top-5, ReaL and ASMA);
#   bagel:  `bagel compare --json` on an imported project (val with ReaL and multi-labels,
#           imagenetv2-b-33, the 67 models on both): every metric on both sides, the fits, and
#           the disagreement-matched comparison of all 67 models. Target: under 0.5 s.
#
# Usage: scripts/bench/compare_vs_numpy.sh   (DATA=/path/to/shared/data, BASELINE=/path/to/numpy_baseline.py)
# Needs hyperfine (apt-get install -y hyperfine) and numpy (pip install numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${DATA:-${BAGEL_DATA:-$PWD/../shared/data}}
baseline=${BASELINE:-$PWD/../shared/bench/numpy_baseline.py}
command -v hyperfine >/dev/null || apt-get install -y hyperfine
python3 -c 'import numpy' 2>/dev/null || pip install numpy

cargo build --release --quiet
bagel=$PWD/target/release/bagel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
p=$work/p.bagel
v2=imagenetv2-b-33
{
    $bagel new "$p"
    $bagel import images "$p" --dataset val "$data/imagenetv2/datasets/imagenet-validation-original.json"
    $bagel import labels "$p" --dataset val "$data/imagenet/real/real.json"
    $bagel import labels "$p" --dataset val "$data/imagenet/multilabel_unlicensed/multilabel_v3_layout.json"
    $bagel import predictions "$p" --dataset val "$data"/imagenetv2/predictions/imagenet-validation-original/*.npy
    $bagel import images "$p" --dataset $v2 "$data/imagenetv2/datasets/$v2.json"
    $bagel import predictions "$p" --dataset $v2 "$data"/imagenetv2/predictions/$v2/*.npy
} >/dev/null 2>&1

hyperfine --warmup 2 --runs 10 \
    -n "numpy baseline (67 models, val only)" "python3 $baseline $data" \
    -n "bagel compare --json (67 models, val vs $v2)" \
    "$bagel compare $p --source val --target $v2 --json"
