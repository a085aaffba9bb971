//go:build !amd64 || purego

package numeric

// stepKernels returns the portable kernel of MomentumStep32 and MomentumStep: this build has
// no assembly.
func stepKernels() []*stepKernel { return []*stepKernel{stepGo} }

// stepBest returns the portable kernel: this build has no assembly.
func stepBest() *stepKernel { return stepGo }
