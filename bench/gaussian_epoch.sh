#!/usr/bin/env bash
# gaussian_epoch.sh [REPS]: one epoch of CD-1 on MNIST, 784×500, batch 100, for Bernoulli
# visible units (thresholded pixels; float64, and float32 as -precision auto picks) and for
# Gaussian visible units (grey levels, -scale standard; learned σ and gaussian:fixed, which
# train in float64; with SGD as the Bernoulli runs, and with Adam, which the general update
# route takes), alternating in every repetition; prints each epoch's training time
# (monitors excluded) and the medians, with the ratios to the Bernoulli float64 epoch.
#
#   bash bench/gaussian_epoch.sh 3
set -euo pipefail
reps=${1:-3}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/boltz" ./cmd/boltz)
common="-data mnist -hidden 500 -epochs 1 -method cd -final-eval none -no-report -ais-every 0 -exact-monitor 0"
declare -A args=(
  [bernoulli-f64]="-precision float64"
  [bernoulli-f32]="-precision float32"
  [gaussian]="-visible-units gaussian -scale standard -lr 0.001"
  [gaussian-fixed]="-visible-units gaussian:fixed -scale standard -lr 0.001"
  [gaussian-adam]="-visible-units gaussian -scale standard -optimizer adam -lr 0.001"
)
for r in $(seq "$reps"); do
  for name in bernoulli-f64 bernoulli-f32 gaussian gaussian-fixed gaussian-adam; do
    rm -rf "$work/run"
    s=$("$work/boltz" train $common ${args[$name]} -o "$work/run" 2>&1 | sed -n 's/^epoch 1\/1 .* \([0-9.]*\)s .*/\1/p')
    echo "$name $s"
  done
done | tee "$work/times" >&2
python3 - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    name, s = line.split()
    t.setdefault(name, []).append(float(s))
base = statistics.median(t["bernoulli-f64"])
print("| visible units | epoch (s, median) | / Bernoulli float64 |")
print("|---|---|---|")
for name, v in t.items():
    m = statistics.median(v)
    print(f"| {name} | {m:.2f} | {m/base:.2f} |")
PY
