#!/usr/bin/env bash
# samebytes.sh OLD NEW: trains the same small runs with the boltz of two git revisions and
# compares the results byte for byte: every model.npz, and every checkpoint.npz array and
# file (checkpoint.json without its elapsed time, which differs from run to run).
#
#   bash bench/samebytes.sh 8acbf45 HEAD
#
# It needs python3 (standard library only) and MNIST in boltz's cache for the two MNIST runs.
set -euo pipefail
old=${1:?usage: samebytes.sh OLD NEW}; new=${2:?usage: samebytes.sh OLD NEW}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d); trap 'rm -rf "$work"; git -C "$root" worktree prune' EXIT
for rev in "$old" "$new"; do
  git -C "$root" worktree add -q --detach "$work/src-$rev" "$rev"
  (cd "$work/src-$rev" && go build -o "$work/boltz-$rev" ./cmd/boltz)
done
runs() { # BIN OUT
  local b=$1 o=$2; mkdir -p "$o"
  local common="-data bas:4 -hidden 8 -epochs 3 -batch 8 -no-report -final-eval none -ais-every 0 -seed 7"
  r() { local name=$1; shift; "$b" train $common "$@" -o "$o/$name" >/dev/null 2>"$o/$name.log" || { echo "FAIL $name"; cat "$o/$name.log"; }; }
  r cd -method cd -centered=false;   r pcd -method pcd -centered=false
  r fpcd -method fpcd -centered=false; r pt -method pt -centered=false
  r centered -method pcd -centered;  r exact -method exact -centered=false
  r exactc -method exact;            r adam -method pcd -optimizer adam -centered=false -precision float64
  r adamc -method pcd -optimizer adam -precision float64
  r f32adam -method pcd -optimizer adam -precision float32
  r gauss -method cd -visible-units gaussian -scale standard -optimizer sgd -centered=false -lr 0.001 -precision float64
  r gaussadam -method pcd -visible-units gaussian -scale standard -precision float64
  r l1 -method pcd -l1 1e-3 -sparsity 0.1 -centered=false
  r cdk -method cd -k 3;             r f32pcd -method pcd -precision float32
  r f32cd -method cd -precision float32 -centered=false
  local mn="-data mnist -hidden 50 -epochs 1 -no-report -final-eval none -ais-every 0 -seed 3"
  "$b" train $mn -precision float32 -o "$o/mn32" >/dev/null 2>&1 || echo "FAIL mn32"
  "$b" train $mn -precision float64 -method cd -o "$o/mn64" >/dev/null 2>&1 || echo "FAIL mn64"
}
runs "$work/boltz-$old" "$work/a"
runs "$work/boltz-$new" "$work/b"
python3 - "$work/a" "$work/b" <<'PY'
import hashlib, json, os, sys, zipfile
def summary(path):
    z, out = zipfile.ZipFile(path), {}
    for n in sorted(z.namelist()):
        b = z.read(n)
        if n == 'checkpoint.json':
            j = json.loads(b); j.pop('elapsed_ns', None); b = json.dumps(j, sort_keys=True).encode()
        out[n] = hashlib.sha256(b).hexdigest()
    return out
a, b, bad = sys.argv[1], sys.argv[2], 0
for run in sorted(d for d in os.listdir(a) if os.path.isdir(os.path.join(a, d))):
    same_model = open(os.path.join(a, run, 'model.npz'), 'rb').read() == open(os.path.join(b, run, 'model.npz'), 'rb').read()
    sa, sb = summary(os.path.join(a, run, 'checkpoint.npz')), summary(os.path.join(b, run, 'checkpoint.npz'))
    diff = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
    bad += (not same_model) + bool(diff)
    print(f"{run:9s} model.npz {'identical' if same_model else 'DIFFERS'}   checkpoint {'identical' if not diff else 'DIFFERS: ' + ' '.join(diff)}")
sys.exit(1 if bad else 0)
PY
