//go:build openblas && cgo

package linalg

import (
	"os"
	"testing"

	"github.com/boltzgo/boltz/internal/linalg/cblas"
)

// Unless the environment chose OpenBLAS's threads, OpenBLAS runs one thread per call and the
// products are split over goroutines instead.
func TestOpenBLASThreads(t *testing.T) {
	t.Log(cblas.Config())
	if _, set := os.LookupEnv("OPENBLAS_NUM_THREADS"); set {
		t.Skip("OPENBLAS_NUM_THREADS is set")
	}
	if n := cblas.Threads(); n != 1 {
		t.Fatalf("OpenBLAS runs %d threads per call, want 1", n)
	}
}
