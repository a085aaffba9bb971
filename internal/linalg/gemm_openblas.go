//go:build openblas && cgo

package linalg

import (
	"os"
	"runtime"

	"github.com/boltzgo/boltz/internal/linalg/cblas"
	"github.com/boltzgo/boltz/internal/par"
)

// With -tags openblas, Gemm and Sgemm hand the products that would be packed (at least
// blasWork multiply-adds) to OpenBLAS's cblas_dgemm and cblas_sgemm (package cblas); smaller
// products keep the Go path, where a cgo call costs more than the arithmetic.
//
// Threads. By default OpenBLAS is set to one thread (openblas_set_num_threads(1)) and a
// product is split into strips of C's rows or columns (its longer side), run on up to
// GOMAXPROCS goroutines (package par), each strip one single-threaded cblas call. The cores
// are then shared by one scheduler, Go's: OpenBLAS's own threads, which spin for a while
// after each call, no longer compete with the goroutines that sample. If the environment sets
// OPENBLAS_NUM_THREADS (read when the program starts), that choice is kept: each product is
// one cblas call, threaded as OpenBLAS decides, and GOMAXPROCS does not apply to it.
//
// A spare P. A strip's cgo call lasts a few hundred microseconds. When no P is idle, the Go
// runtime's monitor takes the P of a goroutine in a cgo call away after about 20 µs
// (retake in runtime/proc.go), and the goroutine, back from C, waits for the operating
// system to give it one again, which on the 2-vCPU development VM takes up to 100 µs: a
// float32 CD-1 epoch made 3,438 futex calls against 485 in the pure-Go build, and the Go
// code between the products ran about 1.5× slower. So this build raises GOMAXPROCS by one
// at start and has package par leave one P unused (par.Spare(1)): the goroutines that
// compute are as many as before, and one P stays idle, which stops the monitor from taking
// the others (it leaves a P in a cgo call alone, for up to 10 ms, while its local run queue is
// empty and some P is idle or some M spinning). Interleaved on that VM, 3 each: float32 CD-1
// epoch 1.79–1.88 s → 1.40–1.49 s. Consequences: runtime.GOMAXPROCS(0) reports one more than
// the environment's GOMAXPROCS (or the CPU count) asked for; a later runtime.GOMAXPROCS(n)
// leaves par n−1 goroutines; and, as with any call of runtime.GOMAXPROCS since Go 1.25, the
// runtime stops adjusting GOMAXPROCS to a container's changing CPU limit. With
// OPENBLAS_NUM_THREADS set none of this happens.
//
// Determinism. The strips depend on the shape of the product alone (blasStrip,
// minBlasWorkPerPart), not on GOMAXPROCS, because OpenBLAS's bits for an element of C depend
// on where the strip edges fall (with 0.3.21's Haswell kernels an sgemm strip of 128 columns
// and one of 500 differ in the last bit). A single-threaded call gives the same bits every
// time, so by default the result is the same for every GOMAXPROCS and every run, on one
// OpenBLAS library and core type (see cblas.Config). It differs in the last bits from the Go
// kernels, and may differ from another OpenBLAS version or OPENBLAS_CORETYPE. With
// OPENBLAS_NUM_THREADS set, whether the bits depend on the thread count is OpenBLAS's
// business.
//
// Speed, on the 100×784×500 products of an MNIST RBM (2-core Zen 5, one session, GFLOP per
// CPU-second; the Go kernels reach 69–89 in float64 and 133–173 in float32). OpenBLAS 0.3.21
// chooses its kernels when the library loads: on Zen 5 it detects Cooperlake (AVX-512),
// 48–62 and 121–135; OPENBLAS_CORETYPE=Haswell forces AVX2 kernels, 32–47 and 66–93.
// Against OpenBLAS's own threads, one thread per strip saves 10–25% of the CPU time of a
// training update at about the same wall time, but a product alone runs slower on two idle
// cores (float64 wall GFLOP/s 67–98 against 88–133 with Cooperlake kernels, 46–89 against
// 66–80 with Haswell's): two single-threaded calls scale about 1.4×, OpenBLAS's threads,
// which share packed panels, about 1.9×. In float32 the split is as fast or faster. Set OPENBLAS_NUM_THREADS
// to get those back.
func init() {
	if _, set := os.LookupEnv("OPENBLAS_NUM_THREADS"); set {
		blas64, blas32 = dgemm, sgemm
		return
	}
	cblas.SetThreads(1)
	// One P spare (see "A spare P" above): par keeps computing on as many goroutines.
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	par.Spare(1)
	blas64 = func(g gemmArgs[float64]) { blasSplit(g, &dgemmCalls) }
	blas32 = func(g gemmArgs[float32]) { blasSplit(g, &sgemmCalls) }
}

const (
	// blasStrip is the unit of a strip of C given to one single-threaded OpenBLAS call: a
	// multiple of every OpenBLAS GEMM unroll factor (at most 32 in 0.3.21), so that strip
	// edges fall on register-tile edges.
	blasStrip = 64
	// minBlasWorkPerPart is the least work, in multiply-adds, of one strip: about 0.15 ms at
	// the 110–130 GFLOP/s of one core in OpenBLAS 0.3.21's sgemm on Zen 5, so that the cgo
	// call and the packing of the operand every strip reads (each call packs it anew) stay
	// small. The 100×784×500 products of an MNIST RBM get two strips, one per core of the
	// development machine: in one interleaved session 2^24 beat 2^22, 2^23 and 2^25 on every
	// product (Sgemm 100×784×500 NN 175–211 GFLOP/s against 138–167 with 2^23, four strips)
	// and took 3–5 % off a float32 CD-1 epoch.
	minBlasWorkPerPart = 1 << 24
)

func dgemm(g gemmArgs[float64]) {
	cblas.Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
}

func sgemm(g gemmArgs[float32]) {
	cblas.Sgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, g.c, g.ldc)
}

var (
	dgemmCalls = par.FreeList[blasCall[float64]]{New: func() *blasCall[float64] { return &blasCall[float64]{blas: dgemm} }}
	sgemmCalls = par.FreeList[blasCall[float32]]{New: func() *blasCall[float32] { return &blasCall[float32]{blas: sgemm} }}
)

// blasCall is one product split into strips of C, each computed by one cblas call.
type blasCall[T float] struct {
	args   gemmArgs[T]
	blas   func(gemmArgs[T])
	splitN bool // strips of columns (else of rows)
	units  int  // strips of blasStrip across the split dimension
}

// blasSplit computes the product g in strips of C's longer side, as many as its shape allows,
// on up to GOMAXPROCS goroutines.
func blasSplit[T float](g gemmArgs[T], calls *par.FreeList[blasCall[T]]) {
	c := calls.Get()
	c.args = g
	c.splitN = g.n >= g.m
	side := g.m
	if c.splitN {
		side = g.n
	}
	c.units = (side + blasStrip - 1) / blasStrip
	par.Do(max(1, min(c.units, g.m*g.n*g.k/minBlasWorkPerPart)), c)
	c.args = gemmArgs[T]{} // do not keep the caller's matrices alive
	calls.Put(c)
}

// Part computes strip i of parts with one cblas call on the sub-matrices it reads.
func (c *blasCall[T]) Part(i, parts int) {
	g := c.args
	side := g.m
	if c.splitN {
		side = g.n
	}
	lo, hi := i*c.units/parts*blasStrip, min((i+1)*c.units/parts*blasStrip, side)
	if c.splitN { // columns [lo, hi) of op(B) and C
		if g.transB {
			g.b = g.b[lo*g.ldb:]
		} else {
			g.b = g.b[lo:]
		}
		g.c, g.n = g.c[lo:], hi-lo
	} else { // rows [lo, hi) of op(A) and C
		if g.transA {
			g.a = g.a[lo:]
		} else {
			g.a = g.a[lo*g.lda:]
		}
		g.c, g.m = g.c[lo*g.ldc:], hi-lo
	}
	c.blas(g)
}
