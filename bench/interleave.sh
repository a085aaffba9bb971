#!/usr/bin/env bash
# interleave.sh OLD NEW [REPS]: times the same workloads with the boltz of two git revisions,
# alternating OLD and NEW in every repetition (each going first in turn) so that drifting
# load on the machine falls on both alike, and prints the median of each and the ratio NEW/OLD:
#
#   one epoch of CD-1 and of PCD-1 on MNIST, 784×500, batch 100, float32 and float64
#   (boltzbench cd1/pcd1; seconds of minibatch updates, monitors excluded), forward AIS,
#   100 runs × 14,500 temperatures on a 784×500 model in float32 (boltzbench ais), and exact
#   log Z of a 784×20 model (bench/exactlogz, CPU seconds per run).
#
#   bash bench/interleave.sh 8acbf45 HEAD 5
#
# Needs MNIST in boltz's cache and python3 (standard library).
set -euo pipefail
old=${1:?usage: interleave.sh OLD NEW [REPS]}; new=${2:?}; reps=${3:-5}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d); trap 'rm -rf "$work"; git -C "$root" worktree prune' EXIT
for rev in "$old" "$new"; do
  git -C "$root" worktree add -q --detach "$work/src-$rev" "$rev"
  (cd "$work/src-$rev" && go build -o "$work/bench-$rev" ./bench/boltzbench && go build -o "$work/logz-$rev" ./bench/exactlogz)
done
out="$work/results.jsonl"
one() { # REV NAME CMD...
  local rev=$1 name=$2; shift 2
  "$@" 2>/dev/null | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(json.dumps({"rev":sys.argv[1],"case":sys.argv[2],"s":d.get("seconds")}))' "$rev" "$name" >>"$out"
}
for r in $(seq "$reps"); do
  order="$old $new"; [ $((r % 2)) -eq 0 ] && order="$new $old" # each goes first in turn
  for rev in $order; do
    for p in float32 float64; do
      one "$rev" "cd1 $p" "$work/bench-$rev" cd1 -precision $p
      one "$rev" "pcd1 $p" "$work/bench-$rev" pcd1 -precision $p
    done
    one "$rev" "exact log Z 784×20" "$work/logz-$rev"
  done
  echo "repetition $r of $reps done" >&2
done
for rev in "$old" "$new"; do one "$rev" "AIS f32 100×14500" "$work/bench-$rev" ais -precision float32; done
python3 - "$out" "$old" "$new" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
old, new = sys.argv[2], sys.argv[3]
cases = list(dict.fromkeys(r["case"] for r in rows))
print(f"| case | {old} (s, median) | {new} (s, median) | {new}/{old} |")
print("|---|---|---|---|")
for c in cases:
    a = statistics.median(r["s"] for r in rows if r["case"] == c and r["rev"] == old)
    b = statistics.median(r["s"] for r in rows if r["case"] == c and r["rev"] == new)
    print(f"| {c} | {a:.3f} | {b:.3f} | {b/a:.3f} |")
PY
