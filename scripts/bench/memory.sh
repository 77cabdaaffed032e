#!/usr/bin/env bash
# Peak memory (maximum resident set size) of `bagel import predictions` and `bagel metrics` at
# the issue's largest size: 300 synthetic models × 50,000 images × top-10 (metrics target: 1 GB).
# The ImageNet multi-labels are imported too when the shared data is there, so MLA runs as well.
#
# Usage: scripts/bench/memory.sh [MODELS] [TOP_K]     (DATA=/path/to/shared/data to override)
# Needs python3 with numpy, /usr/bin/time (apt-get install -y time).
set -euo pipefail
cd "$(dirname "$0")/../.."
models=${1:-300}
k=${2:-10}
data=${DATA:-${BAGEL_DATA:-$PWD/../shared/data}}
[ -x /usr/bin/time ] || apt-get install -y time

cargo build --release --quiet
bagel=$PWD/target/release/bagel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project=$work/p.bagel

python3 scripts/bench/synth_predictions.py "$work" --models "$models" --top-k "$k"
"$bagel" new "$project" >/dev/null
"$bagel" import images "$project" --dataset val "$work/images.txt" >/dev/null 2>&1
"$bagel" import labels "$project" --dataset val "$work/real.json" >/dev/null
multilabels=$data/imagenet/multilabel_unlicensed/multilabel_v3_layout.json
if [ -f "$multilabels" ]; then
    "$bagel" import labels "$project" --dataset val "$multilabels" >/dev/null
fi

# Runs a command under GNU time; prints its peak RSS and wall time, or its errors.
measure() {
    local label=$1
    shift
    if ! /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt"; then
        cat "$work/time.txt" >&2
        exit 1
    fi
    local kb seconds
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    printf '%-40s peak RSS %6d MB   wall %s\n' "$label" $((kb / 1024)) "$seconds"
}

measure "import predictions ($models files, top-$k)" \
    "$bagel" import predictions "$project" --dataset val "$work"/model_*.npy
measure "metrics ($models models)" "$bagel" metrics "$project" --dataset val
measure "metrics --json ($models models)" "$bagel" metrics "$project" --dataset val --json
echo "project file: $(du -m "$project" | cut -f1) MB"
