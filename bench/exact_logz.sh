#!/usr/bin/env bash
# Exact log Z of a 784×20 RBM (W ~ N(0, 0.01²), b = c = 0): boltz against a batched numpy
# enumeration on the same model. boltz writes the model as .npz (bench/exactlogz), times
# exact.LogZ and prints its result; numpy reads the same file. Both use 2 threads.
#
# usage: bench/exact_logz.sh      (from anywhere; needs Go and Debian's python3-numpy:
#                                  apt-get install -y python3-numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# /usr/bin/python3 is Debian's python, which has python3-numpy; a pyenv python3 earlier on
# PATH may not.
py=/usr/bin/python3
"$py" -c 'import numpy' 2>/dev/null || { echo "exact_logz.sh: $py lacks numpy: apt-get install -y python3-numpy" >&2; exit 1; }
go build -o "$tmp/exactlogz" ./bench/exactlogz
GOMAXPROCS=2 "$tmp/exactlogz" -model "$tmp/model.npz" > "$tmp/boltz.json"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$py" bench/exact_logz.py "$tmp/model.npz" "$tmp/boltz.json"
