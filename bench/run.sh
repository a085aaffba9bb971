#!/usr/bin/env bash
# boltz against its peers on this machine, in one run: builds boltz (pure Go, and with
# -tags openblas when OpenBLAS and cgo are available), then bench/run.py runs every case
# interleaved, several repetitions, and prints medians and ratios as Markdown tables:
#
#   (a) one epoch of CD-1 and (b) of PCD-1 on thresholded MNIST, 784×500, batch 100:
#       boltz in float64 and float32 (train.Config.Precision; rows "boltz <build> (f32)"),
#       scikit-learn BernoulliRBM (f64, f32), plain PyTorch loops (f32, f64). Ratio columns:
#       every boltz build in f64 and in f32, each / the row. The table also holds the
#       issue's GEMM bound measured in the same run: the epoch's matrix products alone in
#       numpy (OpenBLAS, 2 threads), f32 and f64, so the ratio columns give boltz / bound
#   (c) exact log Z of a 784×20 model: boltz against numpy (bench/exact_logz.py)
#   (d) forward AIS, 100 runs × 14,500 temperatures, 784×500 (-ais): boltz f64 and f32, numpy f64
#       and f32 on the model boltz trained, with ratios and a check that the log Z agree
#       within their standard errors (about 4–5 min per repetition on an idle machine)
#   (e) Gibbs sampling, 100 chains, 784×500, sweeps/s: boltz f64 and f32, PyTorch, numpy
#
# usage: bench/run.sh [-reps N] [-ais] [-quick] [-src tree|head] [-profile] [-json FILE] [-coretype T]
#   -reps N      repetitions of every case (default 5)
#   -ais         also time AIS (once per build; -ais-reps N for more)
#   -quick       tiny settings to check the scripts (5000 rows, 100 sweeps, AIS 20×500)
#   -src head    benchmark the committed HEAD (git archive) with this bench/ directory, not
#                the working tree, which other people may be editing
#   -profile     also write CPU profiles of one pure-Go CD-1 epoch in float64 and one in
#                float32 and print the top entries of each (flat, then cumulative)
#   -json FILE   write every measurement (and the load average before it) to FILE
#   -coretype T  OpenBLAS kernel set for every OpenBLAS user (numpy, scikit-learn, PyTorch, the
#                openblas build): "auto" (default) unsets OPENBLAS_CORETYPE so that OpenBLAS
#                picks kernels for the CPU it detects (Cooperlake, AVX-512, on the Zen 5 of the
#                development machine); "env" keeps the environment's value (that machine sets
#                OPENBLAS_CORETYPE=Haswell, which runs the peers ~1.6–1.8× slower); any other
#                value is exported as OPENBLAS_CORETYPE
#
# Peers come from Debian: apt-get install -y python3-sklearn python3-torch python3-numpy,
# and, for the openblas build, libopenblas-dev. They are run with /usr/bin/python3 (a pyenv
# python3 earlier on PATH may not have them). Thread settings per peer: see bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

reps=5 ais=0 ais_reps=1 quick=0 src=tree profile=0 json= coretype=auto
while (($#)); do
	case $1 in
	-reps) reps=$2; shift ;;
	-ais) ais=1 ;;
	-ais-reps) ais_reps=$2; shift ;;
	-quick) quick=1 ;;
	-src) src=$2; shift ;;
	-profile) profile=1 ;;
	-json) json=$(realpath -m "$2"); shift ;;
	-coretype) coretype=$2; shift ;;
	-h | -help | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown flag $1 (see bench/run.sh -help)" >&2; exit 2 ;;
	esac
	shift
done

case $coretype in
auto) unset OPENBLAS_CORETYPE ;;
env) ;;
*) export OPENBLAS_CORETYPE=$coretype ;;
esac

py=/usr/bin/python3
missing=()
for mod in numpy sklearn torch; do
	"$py" -c "import $mod" 2>/dev/null || missing+=("$mod")
done
if ((${#missing[@]})); then
	echo "run.sh: $py lacks ${missing[*]}:" >&2
	echo "  apt-get install -y python3-sklearn python3-torch python3-numpy" >&2
	exit 1
fi
command -v go >/dev/null || { echo "run.sh: go not found on PATH" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

srcdir=$repo
if [[ $src == head ]]; then
	srcdir=$tmp/src
	mkdir -p "$srcdir"
	git archive HEAD | tar -x -C "$srcdir"
	rm -rf "$srcdir/bench" && cp -r "$repo/bench" "$srcdir/bench"
elif [[ $src != tree ]]; then
	echo "run.sh: -src must be tree or head, got $src" >&2; exit 2
fi

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|Socket\(s\))' | sed 's/  */ /g'
grep -o -w -E 'avx2|avx512f|fma' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
echo "memory: $(free -g | awk '/^Mem:/ {print $2}') GiB"
echo "go: $(go version)"
echo "python: $("$py" -c 'import sys, numpy, sklearn, torch; print(sys.version.split()[0], "numpy", numpy.__version__, "scikit-learn", sklearn.__version__, "torch", torch.__version__)')"
echo "boltz: $(git -C "$repo" rev-parse --short HEAD) ($src$([[ $src == tree && -n $(git -C "$repo" status --porcelain -- . ':!bench' ':!docs/performance.md' 2>/dev/null) ]] && echo ', with uncommitted changes outside bench/'))"
echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset (OpenBLAS detects the CPU)} (-coretype $coretype)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)   ($(uptime))"

echo "== build"
(cd "$srcdir" && go build -o "$tmp/boltzbench-pure" ./bench/boltzbench && go build -o "$tmp/exactlogz-pure" ./bench/exactlogz)
blas_args=()
if (cd "$srcdir" && CGO_ENABLED=1 go build -tags openblas -o "$tmp/boltzbench-openblas" ./bench/boltzbench &&
	CGO_ENABLED=1 go build -tags openblas -o "$tmp/exactlogz-openblas" ./bench/exactlogz) 2>"$tmp/openblas-build.log"; then
	blas_args=(--boltz-openblas "$tmp/boltzbench-openblas" --exact-openblas "$tmp/exactlogz-openblas")
	echo "built pure Go and -tags openblas"
else
	echo "built pure Go only: the -tags openblas build failed (apt-get install -y libopenblas-dev?):" >&2
	sed 's/^/  /' "$tmp/openblas-build.log" >&2
fi
# The model the numpy exact log Z reads; every boltz exact run rewrites it identically.
GOMAXPROCS=2 "$tmp/exactlogz-pure" -model "$tmp/exact_pure-go.npz" -runs 1 >/dev/null

args=(--boltz-pure "$tmp/boltzbench-pure" --exact-pure "$tmp/exactlogz-pure" --tmp "$tmp" --reps "$reps")
args+=("${blas_args[@]}")
((quick)) && args+=(--rows 5000 --sweeps 100 --ais-runs 20 --ais-betas 500)
((ais)) && args+=(--ais --ais-reps "$ais_reps")
[[ -n $json ]] && args+=(--json "$json")

echo "== run: $reps interleaved repetitions (progress on stderr)"
"$py" "$repo/bench/run.py" "${args[@]}"

if ((profile)); then
	rows=()
	((quick)) && rows=(-rows 5000)
	for prec in float64 float32; do
		echo "== profile: one pure-Go CD-1 epoch, $prec (bench/boltzbench cd1 -precision $prec -cpuprofile)"
		GOMAXPROCS=2 "$tmp/boltzbench-pure" cd1 -precision "$prec" "${rows[@]}" -cpuprofile "$tmp/cd1-$prec.pprof" >/dev/null
		go tool pprof -top -nodecount=25 "$tmp/boltzbench-pure" "$tmp/cd1-$prec.pprof" 2>/dev/null | sed -n '1,32p'
		echo "-- cumulative ($prec)"
		go tool pprof -top -cum -nodecount=30 "$tmp/boltzbench-pure" "$tmp/cd1-$prec.pprof" 2>/dev/null | sed -n '6,36p'
	done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)   ($(uptime))"
