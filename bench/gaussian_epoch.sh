#!/usr/bin/env bash
# gaussian_epoch.sh [REPS]: one epoch of CD-1 on MNIST, 784×500, batch 100, uncentered (the
# Gaussian defaults), for Bernoulli visible units (thresholded pixels) and Gaussian visible
# units (grey levels, -scale standard; learned σ, and gaussian:fixed), with SGD and with Adam,
# each in float64 and in float32, alternating in every repetition. It prints each epoch's
# training time (elapsed_seconds of metrics.jsonl: monitors excluded) and the medians with
# their ranges, each median with its ratio to the Bernoulli epoch of the same optimiser and
# precision, and to the Bernoulli float32 SGD epoch.
#
#   bash bench/gaussian_epoch.sh 3
set -euo pipefail
reps=${1:-3}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/boltz" ./cmd/boltz)
common="-data mnist -hidden 500 -epochs 1 -method cd -centered=false -lr 0.001 -final-eval none -no-report -ais-every 0 -exact-monitor 0"
gauss="-visible-units gaussian -scale standard"
fixed="-visible-units gaussian:fixed -scale standard"
declare -A args=(
  [bernoulli-sgd-f64]="-optimizer sgd -precision float64"
  [bernoulli-sgd-f32]="-optimizer sgd -precision float32"
  [bernoulli-adam-f64]="-optimizer adam -precision float64"
  [bernoulli-adam-f32]="-optimizer adam -precision float32"
  [gaussian-sgd-f64]="$gauss -optimizer sgd -precision float64"
  [gaussian-sgd-f32]="$gauss -optimizer sgd -precision float32"
  [gaussian-adam-f64]="$gauss -optimizer adam -precision float64"
  [gaussian-adam-f32]="$gauss -optimizer adam -precision float32"
  [gaussian:fixed-sgd-f64]="$fixed -optimizer sgd -precision float64"
  [gaussian:fixed-sgd-f32]="$fixed -optimizer sgd -precision float32"
)
names="bernoulli-sgd-f64 bernoulli-sgd-f32 bernoulli-adam-f64 bernoulli-adam-f32 gaussian-sgd-f64
  gaussian-sgd-f32 gaussian-adam-f64 gaussian-adam-f32 gaussian:fixed-sgd-f64 gaussian:fixed-sgd-f32"
for r in $(seq "$reps"); do
  for name in $names; do
    rm -rf "$work/run"
    "$work/boltz" train $common ${args[$name]} -o "$work/run" >/dev/null 2>&1
    s=$(sed -n 's/.*"elapsed_seconds":\([0-9.e+-]*\).*/\1/p' "$work/run/metrics.jsonl")
    printf '%s %.3f\n' "$name" "$s"
  done
done | tee "$work/times" >&2
python3 - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    name, s = line.split()
    t.setdefault(name, []).append(float(s))
med = {name: statistics.median(v) for name, v in t.items()}
print("| visible units | optimiser | precision | epoch (s, median) | min–max | / Bernoulli, same optimiser and precision | / Bernoulli SGD float32 |")
print("|---|---|---|---|---|---|---|")
for name, m in med.items():
    units, opt, prec = name.rsplit("-", 2)
    match = med[f"bernoulli-{opt}-{prec}"]
    lo, hi = min(t[name]), max(t[name])
    print(f"| {units} | {opt} | {prec} | {m:.2f} | {lo:.2f}–{hi:.2f} | {m/match:.2f} | {m/med['bernoulli-sgd-f32']:.2f} |")
PY
