package linalg

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/matrix"
)

// The named products give the bits of the Gemm or Sgemm call they stand for, in each
// orientation, precision and beta.
func TestMulNamed(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const m, n, k = 7, 5, 9
	for _, tr := range transCases[:3] {
		for _, beta := range []float64{0, 1, -0.5} {
			checkMulNamed[float64](t, rng, tr.name, tr.transA, tr.transB, m, n, k, beta)
			checkMulNamed[float32](t, rng, tr.name, tr.transA, tr.transB, m, n, k, beta)
		}
	}
}

func checkMulNamed[T Float](t *testing.T, rng *rand.Rand, name string, transA, transB bool, m, n, k int, beta float64) {
	t.Helper()
	ar, ac := opShape(m, k, transA)
	br, bc := opShape(k, n, transB)
	a := matrix.New(ar, ac, randSlice[T](rng, ar*ac))
	b := matrix.New(br, bc, randSlice[T](rng, br*bc))
	got := matrix.New(m, n, randSlice[T](rng, m*n))
	want := got.Clone()
	const alpha = 1.25
	switch w := any(want).(type) {
	case *Dense:
		Gemm(transA, transB, m, n, k, alpha, any(a).(*Dense).Data, ac, any(b).(*Dense).Data, bc, beta, w.Data, n)
	case *Dense32:
		Sgemm(transA, transB, m, n, k, alpha, any(a).(*Dense32).Data, ac, any(b).(*Dense32).Data, bc, float32(beta), w.Data, n)
	}
	map[string]func(*matrix.Matrix[T], T, *matrix.Matrix[T], *matrix.Matrix[T], T){
		"NN": MulNN[T], "TN": MulTN[T], "NT": MulNT[T],
	}[name](got, alpha, a, b, T(beta))
	for i := range want.Data {
		if got.Data[i] != want.Data[i] {
			t.Fatalf("Mul%s %T beta=%v: element %d = %v, Gemm gives %v", name, got, beta, i, got.Data[i], want.Data[i])
		}
	}
}

// A product worked by hand: a·bᵀ = [[1·1+3·(−1), 1·2+2·1], [4−6, 8+5]].
func TestMulNTByHand(t *testing.T) {
	want := []float64{-2, 4, -2, 13}
	got := NewDense(2, 2)
	MulNT(got, 1, &Dense{Rows: 2, Cols: 3, Data: []float64{1, 2, 3, 4, 5, 6}},
		&Dense{Rows: 2, Cols: 3, Data: []float64{1, 0, -1, 2, 1, 0}}, 0)
	got32 := NewDense32(2, 2)
	MulNT(got32, 1, &Dense32{Rows: 2, Cols: 3, Data: []float32{1, 2, 3, 4, 5, 6}},
		&Dense32{Rows: 2, Cols: 3, Data: []float32{1, 0, -1, 2, 1, 0}}, 0)
	for i := range want {
		if got.Data[i] != want[i] || float64(got32.Data[i]) != want[i] {
			t.Errorf("element %d = %v (float32 %v), want %v", i, got.Data[i], got32.Data[i], want[i])
		}
	}
}

func TestMulNamedPanics(t *testing.T) {
	a, b := NewDense(2, 3), NewDense(3, 4)
	for _, tc := range []struct {
		name string
		run  func()
	}{
		{"MulNN inner", func() { MulNN(NewDense(2, 4), 1, a, NewDense(2, 4), 0) }},
		{"MulNN dst", func() { MulNN(NewDense(2, 3), 1, a, b, 0) }},
		{"MulTN", func() { MulTN(NewDense(2, 4), 1, a, b, 0) }},
		{"MulNT", func() { MulNT(NewDense32(2, 3), 1, NewDense32(2, 3), NewDense32(3, 4), 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, "boltz/linalg: "+strings.Fields(tc.name)[0]+": dst") {
					t.Errorf("panic %v", r)
				}
			}()
			tc.run()
		})
	}
}
