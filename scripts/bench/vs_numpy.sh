#!/usr/bin/env bash
# Whole process, cold start to figures, side by side with the numpy anchor
# (../shared/bench/numpy_baseline.py: 67 models' top-5 on ImageNet val, ReaL, ASMA):
#   numpy:  load the .npy files and labels, compute the figures;
#   bagel:  new project, import images, ReaL labels and the 67 models in one call, metrics --json;
# and, for scale, `bagel metrics --json` alone on the finished project (what one runs daily).
#
# Usage: scripts/bench/vs_numpy.sh   (DATA=/path/to/shared/data, BASELINE=/path/to/numpy_baseline.py)
# Needs hyperfine (apt-get install -y hyperfine) and numpy (pip install numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${DATA:-${BAGEL_DATA:-$PWD/../shared/data}}
baseline=${BASELINE:-$PWD/../shared/bench/numpy_baseline.py}
command -v hyperfine >/dev/null || apt-get install -y hyperfine
python3 -c 'import numpy' 2>/dev/null || pip install numpy

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BAGEL=$PWD/target/release/bagel DATA=$data

# The bagel steps on project $p; single-quoted, so bash -c expands the variables at each run.
steps='$BAGEL new $p
$BAGEL import images $p --dataset val $DATA/imagenetv2/datasets/imagenet-validation-original.json
$BAGEL import labels $p --dataset val $DATA/imagenet/real/real.json
$BAGEL import predictions $p --dataset val $DATA/imagenetv2/predictions/imagenet-validation-original/*.npy
$BAGEL metrics $p --dataset val --json > /dev/null'
fresh="set -e; d=\$(mktemp -d); trap \"rm -rf \$d\" EXIT; p=\$d/p.bagel; $steps"
# The same steps once more into a kept project, for the metrics-alone run.
p=$work/p.bagel bash -c "set -e; $steps" >/dev/null

hyperfine --warmup 1 --runs 5 \
    -n "numpy baseline" "python3 $baseline $data" \
    -n "bagel CLI from an empty project" "bash -c '$fresh'" \
    -n "bagel metrics --json alone" "$BAGEL metrics $work/p.bagel --dataset val --json"
