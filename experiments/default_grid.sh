#!/bin/sh
# The measured grid behind `boltz train`'s defaults (docs/mnist.md §0): 784×500 RBMs on MNIST
# thresholded at 0.5, PCD-1, batch 100, one persistent chain per minibatch row, seed 1, each
# cell differing in centering, learning-rate schedule and number of epochs. For each cell:
# the training time, the test log-likelihood by forward and reverse AIS (100 runs × 14,500
# temperatures, `boltz eval` defaults) and the digit classes of 100 samples (1000 Gibbs sweeps
# from random states) under bench/sample_classes.py.
#
# Usage: sh experiments/default_grid.sh [CELL ...]   (from the repo root; default: every cell)
#        BOLTZ=path/to/boltz to use another binary. Runs go to experiments/runs/grid_CELL,
#        one JSON line per cell to experiments/results/default_grid.jsonl.
#        PHASE=train trains only; PHASE=eval measures cells already trained; default both.
set -e
BOLTZ=${BOLTZ:-/tmp/boltz-grid}
OUTDIR=${OUTDIR:-experiments/runs}
RES=${RES:-experiments/results/default_grid.jsonl}
common="-data mnist -binarize auto -hidden 500 -method pcd -k 1 -batch 100 -optimizer sgd -l2 1e-4 -momentum-initial 0.5 -momentum 0.9 -momentum-epochs 5 -seed 1 -exact-monitor 0 -no-report"
cell_flags() {
  case $1 in
  const10) echo "-epochs 10 -lr 0.01" ;;                                   # the old default
  c10) echo "-epochs 10 -lr 0.01 -centered -lr-schedule linear -lr-final 0" ;;
  c20) echo "-epochs 20 -lr 0.01 -centered -lr-schedule linear -lr-final 0" ;;
  c30) echo "-epochs 30 -lr 0.01 -centered -lr-schedule linear -lr-final 0" ;;
  c50) echo "-epochs 50 -lr 0.01 -centered -lr-schedule linear -lr-final 0" ;;
  c30lr02) echo "-epochs 30 -lr 0.02 -centered -lr-schedule linear -lr-final 0" ;;
  c30lr005) echo "-epochs 30 -lr 0.005 -centered -lr-schedule linear -lr-final 0" ;;
  u30) echo "-epochs 30 -lr 0.01 -lr-schedule linear -lr-final 0" ;;       # not centered
  f20) echo "-epochs 20 -lr 0.01 -centered -lr-schedule linear -lr-final 0 -method fpcd" ;; # fast PCD (float64)
  c40) echo "-epochs 40 -lr 0.01 -centered -lr-schedule linear -lr-final 0" ;;
  c30m5) echo "-epochs 30 -lr 0.01 -centered -lr-schedule linear -lr-final 0 -momentum 0.5" ;;
  *) echo "unknown cell $1" >&2; exit 2 ;;
  esac
}
cells=${*:-"c30 c20 u30 c30lr02 c50 c10 c30lr005 c30m5 const10"}
mkdir -p "$OUTDIR" "$(dirname "$RES")"
for cell in $cells; do
  f=$(cell_flags "$cell")
  dir=$OUTDIR/grid_$cell
  if [ "${PHASE:-all}" != eval ]; then
    $BOLTZ train $common $f -final-eval none -force -o "$dir" 2> "$dir.train.log" || { tail -3 "$dir.train.log"; exit 1; }
  fi
  [ "${PHASE:-all}" = train ] && continue
  train_s=$(grep -o '"elapsed_seconds": *[0-9.]*' "$dir/metrics.jsonl" | tail -1 | grep -o '[0-9.]*$')
  $BOLTZ eval -method ais ${EVALFLAGS:-} -model "$dir/model.npz" -data mnist:test -binarize auto -seed 1 -json > "$dir.eval.json" 2> "$dir.eval.log"
  $BOLTZ sample -model "$dir/model.npz" -n 100 -steps 1000 -seed 1 -o "$dir.samples.npy" 2>/dev/null
  classes=$(/usr/bin/python3 bench/sample_classes.py -json "$dir.samples.npy")
  /usr/bin/python3 - "$cell" "$f" "$train_s" "$dir.eval.json" "$classes" >> "$RES" <<'PY'
import json, sys
cell, flags, train_s, evalf, classes = sys.argv[1:]
e = json.load(open(evalf)); c = json.loads(classes)
print(json.dumps({"cell": cell, "flags": flags, "train_seconds": float(train_s or 0),
  "test_ll": e["mean_log_likelihood"], "test_ll_stderr": e["mean_log_likelihood_stderr"],
  "test_ll_reverse": e["mean_log_likelihood_reverse"], "ess": e["ess"], "gap": e["gap"],
  "trustworthy": e["trustworthy"], "reason": e["untrustworthy_reason"],
  "classes": c["classes"], "classes_with_2": c["classes_with_2"], "histogram": c["histogram"]}))
PY
  tail -1 "$RES"
done
