package linalg

import "sync/atomic"

// The kernels in use, one per precision. best64 and best32 are the fastest this build has for
// this CPU (set by the init of the architecture's file); portable64 and portable32 are the Go
// micro-kernels that every build has.
var (
	kernels64 atomic.Pointer[kernel[float64]]
	kernels32 atomic.Pointer[kernel[float32]]

	portable64 = newKernel("go4x4", 4, 4, 128, 256, 1024, kernelGo4x4[float64], nil)
	portable32 = newKernel("go4x4", 4, 4, 128, 256, 1024, kernelGo4x4[float32], nil)

	best64, best32 = bestKernels()
)

func init() { usePortable(false) }

// usePortable selects the portable Go micro-kernels when on is true and the fastest ones
// otherwise, and returns the previous setting. It is the test hook that lets one binary
// test both; it must not be called while a product is running.
func usePortable(on bool) (was bool) {
	was = kernels64.Load() == portable64
	if on {
		kernels64.Store(portable64)
		kernels32.Store(portable32)
	} else {
		kernels64.Store(best64)
		kernels32.Store(best32)
	}
	return was
}

// useKernels selects k64 and k32 and returns the kernels in use before. It is a test hook,
// like usePortable.
func useKernels(k64 *kernel[float64], k32 *kernel[float32]) (*kernel[float64], *kernel[float32]) {
	was64, was32 := kernels64.Load(), kernels32.Load()
	kernels64.Store(k64)
	kernels32.Store(k32)
	return was64, was32
}

// kernelGo4x4 is the portable micro-kernel: a 4×4 tile of C held in 16 scalar accumulators.
// It keeps the contract of kernel.run, except that the compiler may or may not fuse the
// multiply-adds (it does on arm64, not on amd64 below GOAMD64=v3), so its last bits are
// its own.
func kernelGo4x4[T float](kc int, a []T, sa int, b []T, sb int, c []T, ldc int, alpha, beta T, load bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	for p := 0; p < kc; p++ {
		ap, bp := (*[4]T)(a[p*sa:]), (*[4]T)(b[p*sb:])
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	storeRow4((*[4]T)(c[0*ldc:]), alpha, beta, load, c00, c01, c02, c03)
	storeRow4((*[4]T)(c[1*ldc:]), alpha, beta, load, c10, c11, c12, c13)
	storeRow4((*[4]T)(c[2*ldc:]), alpha, beta, load, c20, c21, c22, c23)
	storeRow4((*[4]T)(c[3*ldc:]), alpha, beta, load, c30, c31, c32, c33)
}

// storeRow4 sets dst to alpha·acc + beta·dst, or alpha·acc without reading dst.
func storeRow4[T float](dst *[4]T, alpha, beta T, load bool, x0, x1, x2, x3 T) {
	if !load {
		dst[0], dst[1], dst[2], dst[3] = alpha*x0, alpha*x1, alpha*x2, alpha*x3
		return
	}
	dst[0] = alpha*x0 + beta*dst[0]
	dst[1] = alpha*x1 + beta*dst[1]
	dst[2] = alpha*x2 + beta*dst[2]
	dst[3] = alpha*x3 + beta*dst[3]
}
