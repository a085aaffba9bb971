package linalg

import "github.com/boltzgo/boltz/internal/par"

// The packed product follows the BLIS loop nest (Van Zee & van de Geijn, "BLIS: A Framework
// for Rapidly Instantiating BLAS Functionality", ACM TOMS 41(3), 2015):
//
//	for jc over n in steps of nc:            B panel kc×nc packed once per (jc, pc)
//	  for pc over k in steps of kc:
//	    for ic over m in steps of mc:        A block mc×kc packed once per (jc, pc, ic)
//	      for jr over nc in steps of nr:     one kc×nr micro-panel of B stays in L1
//	        for ir over mc in steps of mr:   micro-kernel: mr×nr tile of C in registers
//
// Packing copies op(A) and op(B) into contiguous micro-panels whatever the transposes, so one
// micro-kernel serves the four cases. The kernels take a stride per step of k, so an operand
// already stored contiguously along the tile (op(A) = Aᵀ, op(B) = B) is read in place and
// only the transposed layouts pay for packing; of the three RBM products (V·W, H·Wᵀ, Vᵀ·H)
// only H·Wᵀ packs a large operand.
//
// C is split into strips of whole register tiles, run on up to par.Threads() goroutines. Each
// element of C is accumulated over k in the same order (ascending p inside a kc block, then
// the blocks in order) with the same kernel whichever strip holds it, which makes the result
// independent of the number of goroutines.

const (
	// smallWork is the number of multiply-adds m·n·k below which packing does not pay and
	// gemmDirect runs instead. With the assembly kernels packing pays from about 4×4×4
	// (BenchmarkGemmSmall: 8×8×8 runs at 4.7 GFLOP/s packed, 1.5 direct).
	smallWork = 64
	// blasWork is the least work handed to an external BLAS (the openblas build tag): a cgo
	// call costs about as much as 2^15 multiply-adds in the Go kernels.
	blasWork = 1 << 15
	// minWorkPerPart is the least work, in multiply-adds, given to one goroutine: waking a
	// helper costs a few microseconds, the time of about 2^18 multiply-adds at 50 GFLOP/s.
	minWorkPerPart = 1 << 18
)

// kernel is a micro-kernel and the cache blocking that suits it.
type kernel[T float] struct {
	name string
	// mr×nr is the register tile. mc, kc and nc are the cache blocks: an mc×kc block of A
	// lives in L2, a kc×nr micro-panel of B in L1. mc is a multiple of mr, nc of nr.
	mr, nr, mc, kc, nc int
	// run sets the mr×nr tile C (row stride ldc) to alpha·Σ_p a[p·sa+i]·b[p·sb+j] + beta·C
	// for p < kc, computed as fma(alpha, acc, beta·C) with acc accumulated by ascending p.
	// When load is false C is not read (beta is taken as 0). a and b are packed
	// micro-panels (sa = mr, sb = nr) or, where op(A) or op(B) is stored contiguously along
	// the tile, the matrices themselves (sa = lda, sb = ldb).
	run microKernel[T]
	// rows[r], when rows is not nil, is run for the first r rows of the tile, 0 < r < mr.
	rows []microKernel[T]

	// workspaces holds one per goroutine running a product (about 1.3 MiB each), sized for
	// this kernel; calls holds one per product running at once.
	workspaces par.FreeList[workspace[T]]
	calls      par.FreeList[gemmCall[T]]
}

type microKernel[T float] = func(kc int, a []T, sa int, b []T, sb int, c []T, ldc int, alpha, beta T, load bool)

// workspace holds one goroutine's pack buffers and the scratch tile for edges of C.
type workspace[T float] struct {
	a, b, tile []T
}

func newKernel[T float](name string, mr, nr, mc, kc, nc int, run microKernel[T], rows []microKernel[T]) *kernel[T] {
	kern := &kernel[T]{name: name, mr: mr, nr: nr, mc: mc, kc: kc, nc: nc, run: run, rows: rows}
	kern.workspaces.New = func() *workspace[T] {
		return &workspace[T]{a: make([]T, mc*kc), b: make([]T, kc*nc), tile: make([]T, mr*nr)}
	}
	kern.calls.New = func() *gemmCall[T] { return &gemmCall[T]{kern: kern} }
	return kern
}

// gemm computes C = alpha·op(A)·op(B) + beta·C with kern, choosing the direct loop for small
// products and the packed, parallel one (or blas, when not nil) otherwise.
func gemm[T float](g gemmArgs[T], kern *kernel[T], blas func(gemmArgs[T])) {
	if g.m == 0 || g.n == 0 {
		return
	}
	if g.alpha == 0 || g.k == 0 {
		scaleC(g.m, g.n, g.beta, g.c, g.ldc)
		return
	}
	if g.m*g.n*g.k < smallWork {
		gemmDirect(&g)
		return
	}
	if blas != nil && g.m*g.n*g.k >= blasWork {
		blas(g)
		return
	}
	call := kern.calls.Get()
	call.args = g
	call.run()
	call.args = gemmArgs[T]{} // do not keep the caller's matrices alive
	kern.calls.Put(call)
}

// gemmCall is one packed product split into parts: column strips of C (or row strips when C
// is taller than wide), each a whole number of register tiles, run by the calling goroutine
// and by helpers.
type gemmCall[T float] struct {
	args   gemmArgs[T]
	kern   *kernel[T]
	splitN bool // strips of columns (else of rows)
	units  int  // register tiles across the split dimension
	// shared, when not nil, is the operand that every strip reads whole (op(A) for column
	// strips, op(B) for row strips), packed once for all of them; pad is its packed width.
	shared []T
	pad    int
	buf    []T // storage of shared, kept between calls
}

const (
	// maxShared bounds the elements of an operand packed once for all strips (8 MiB of
	// float64); a larger one is packed by each strip.
	maxShared = 1 << 20
	// partsPerThread is how many strips each goroutine gets when strips cost nothing to
	// start: finer strips let an idle core take over the work of one that is busy elsewhere.
	partsPerThread = 4
)

func (c *gemmCall[T]) run() {
	g, kern := &c.args, c.kern
	c.splitN = g.n >= g.m
	if c.splitN {
		c.units = (g.n + kern.nr - 1) / kern.nr
	} else {
		c.units = (g.m + kern.mr - 1) / kern.mr
	}
	threads := par.Threads()
	byWork := max(1, g.m*g.n*g.k/minWorkPerPart)
	parts := min(threads, c.units, byWork)
	// Each strip reads the whole of the other operand; does it need packing?
	perStrip := g.transB
	if c.splitN {
		perStrip = !g.transA
	}
	c.shared = nil
	if perStrip && parts > 1 {
		c.packShared()
		perStrip = c.shared == nil
	}
	if !perStrip {
		parts = min(threads*partsPerThread, c.units, byWork)
	}
	par.Do(parts, c)
	c.shared = nil
}

// packShared packs the operand every strip reads whole into c.shared, k block after k block,
// unless it is larger than maxShared.
func (c *gemmCall[T]) packShared() {
	g, kern := &c.args, c.kern
	src, ld, xn, w := g.a, g.lda, g.m, kern.mr
	if !c.splitN {
		src, ld, xn, w = g.b, g.ldb, g.n, kern.nr
	}
	c.pad = (xn + w - 1) / w * w
	size := c.pad * g.k
	if size > maxShared {
		return
	}
	if cap(c.buf) < size {
		c.buf = make([]T, size)
	}
	c.shared = c.buf[:size]
	for pc := 0; pc < g.k; pc += kern.kc {
		kc := min(kern.kc, g.k-pc)
		pack(c.shared[pc*c.pad:], src, ld, false, 0, xn, pc, kc, w, false, false)
	}
}

// Part computes strip i of parts.
func (c *gemmCall[T]) Part(i, parts int) {
	g, kern := &c.args, c.kern
	lo, hi := i*c.units/parts, (i+1)*c.units/parts
	i0, i1, j0, j1 := 0, g.m, 0, g.n
	var preA, preB []T
	if c.splitN {
		j0, j1 = lo*kern.nr, min(hi*kern.nr, g.n)
		preA = c.shared
	} else {
		i0, i1 = lo*kern.mr, min(hi*kern.mr, g.m)
		preB = c.shared
	}
	ws := kern.workspaces.Get()
	blocked(g, kern, ws, preA, preB, c.pad, i0, i1, j0, j1)
	kern.workspaces.Put(ws)
}

// blocked computes rows [i0, i1) and columns [j0, j1) of C with the BLIS loop nest. i0 is
// a multiple of mr and j0 of nr, so every element meets the same register tile edges
// whichever strip it is in. preA or preB, when not nil, hold op(A) or op(B) already packed,
// pad elements wide.
//
// A micro-panel is read in place, not packed, when the matrix stores it contiguously along
// the tile (op(A) = Aᵀ, op(B) = B) and the kernel can use it as it is: a whole panel, or a
// bottom edge when the kernel has row-edge variants. Right-edge panels of B are always packed
// with zeros past n.
func blocked[T float](g *gemmArgs[T], kern *kernel[T], ws *workspace[T], preA, preB []T, pad, i0, i1, j0, j1 int) {
	// op(A)[i, p] is a[p·lda + i], contiguous along i, when A is transposed; op(B)[p, j] is
	// b[p·ldb + j], contiguous along j, unless B is transposed.
	aDirect, bDirect := g.transA, !g.transB
	for jc := j0; jc < j1; jc += kern.nc {
		nc := min(kern.nc, j1-jc)
		for pc := 0; pc < g.k; pc += kern.kc {
			kc := min(kern.kc, g.k-pc)
			bBlock := ws.b
			if preB != nil {
				bBlock = preB[pc*pad+jc*kc:]
			} else {
				pack(ws.b, g.b, g.ldb, bDirect, jc, nc, pc, kc, kern.nr, bDirect, false)
			}
			beta, load := g.beta, g.beta != 0
			if pc > 0 {
				beta, load = 1, true // later k blocks add to C
			}
			for ic := i0; ic < i1; ic += kern.mc {
				mc := min(kern.mc, i1-ic)
				aBlock := ws.a
				if preA != nil {
					aBlock = preA[pc*pad+ic*kc:]
				} else {
					pack(ws.a, g.a, g.lda, aDirect, ic, mc, pc, kc, kern.mr, aDirect, aDirect && kern.rows != nil)
				}
				macro(g, kern, aBlock, bBlock, ws.tile, ic, mc, jc, nc, pc, kc, beta, load)
			}
		}
	}
}

// macro runs the micro-kernel over the mc×nc block of C at (ic, jc), k block (pc, kc), from
// the packed panels in aBlock and bBlock or the matrices themselves.
func macro[T float](g *gemmArgs[T], kern *kernel[T], aBlock, bBlock, scratch []T, ic, mc, jc, nc, pc, kc int, beta T, load bool) {
	mr, nr, ldc := kern.mr, kern.nr, g.ldc
	aDirect, bDirect := g.transA, !g.transB
	for jr := 0; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		bp, sb := bBlock[jr*kc:(jr+nr)*kc], nr
		if bDirect && cols == nr {
			bp, sb = g.b[pc*g.ldb+jc+jr:], g.ldb
		}
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			ap, sa := aBlock[ir*kc:(ir+mr)*kc], mr
			if aDirect && (rows == mr || kern.rows != nil) {
				ap, sa = g.a[pc*g.lda+ic+ir:], g.lda
			}
			run := kern.run
			if rows < mr && kern.rows != nil {
				run = kern.rows[rows]
			}
			ci := (ic+ir)*ldc + jc + jr
			if cols == nr && (rows == mr || kern.rows != nil) {
				run(kc, ap, sa, bp, sb, g.c[ci:], ldc, g.alpha, beta, load)
				continue
			}
			// A right-edge tile goes through the scratch tile so that the kernel computes
			// it with exactly the arithmetic of a full one.
			tile := scratch[:mr*nr]
			if load {
				for r := 0; r < rows; r++ {
					copy(tile[r*nr:r*nr+cols], g.c[ci+r*ldc:])
				}
			}
			run(kc, ap, sa, bp, sb, tile, nr, g.alpha, beta, load)
			for r := 0; r < rows; r++ {
				copy(g.c[ci+r*ldc:ci+r*ldc+cols], tile[r*nr:])
			}
		}
	}
}
