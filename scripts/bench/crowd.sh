#!/usr/bin/env bash
# The issue's crowd target, whole process: `bagel import votes` of ReaL's raters.npz (85 raters,
# 924,810 answers) then `bagel aggregate --method dawid-skene --threshold 0.9`, on a fresh copy
# of a project that already holds the val images (hyperfine's --prepare copies it). Target:
# under 5 s for the two together. The split: each command alone, the aggregation on a copy
# that already holds the votes. The in-memory parts are `cargo bench --bench aggregate`.
#
# Usage: scripts/bench/crowd.sh   (DATA=/path/to/shared/data)
# Needs hyperfine (apt-get install -y hyperfine).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${DATA:-${BAGEL_DATA:-$PWD/../shared/data}}
raters=$data/imagenet/real/raters.npz
images=$data/imagenetv2/datasets/imagenet-validation-original.json
for file in "$raters" "$images"; do
    [ -f "$file" ] || { echo "SKIPPED: $file not found (set DATA)"; exit 0; }
done
command -v hyperfine >/dev/null || apt-get install -y hyperfine

# The CLI alone: the desk's crates change nothing in these two commands.
cargo build --release --quiet --no-default-features --bin bagel
bagel=$PWD/target/release/bagel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bagel" new "$work/images.bagel" >/dev/null
"$bagel" import images "$work/images.bagel" --dataset val "$images" >/dev/null 2>&1
cp "$work/images.bagel" "$work/voted.bagel"
"$bagel" import votes "$work/voted.bagel" --dataset val "$raters" >/dev/null

p=$work/p.bagel
import="$bagel import votes $p --dataset val $raters"
aggregate="$bagel aggregate $p --dataset val --method dawid-skene --threshold 0.9"
fresh="rm -f $p $p-wal $p-shm; cp $work/images.bagel $p"
voted="rm -f $p $p-wal $p-shm; cp $work/voted.bagel $p"
hyperfine --warmup 1 --runs 5 \
    --prepare "$fresh" -n "import votes + aggregate" "$import && $aggregate" \
    --prepare "$fresh" -n "import votes alone" "$import" \
    --prepare "$voted" -n "aggregate alone" "$aggregate"
