//go:build !amd64 || purego

package numeric

// adamKernels returns the portable kernel of AdamStep: this build has no assembly.
func adamKernels() []*adamKernel { return []*adamKernel{adamGo} }

// adamBest returns the portable kernel: this build has no assembly.
func adamBest() *adamKernel { return adamGo }
