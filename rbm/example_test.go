package rbm_test

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// A model's free energy, features and a round trip through a model file.
func Example() {
	m := rbm.New(3, 2)
	m.InitNormalWithBiases(1, 1, rand.New(rand.NewPCG(1, 2)))
	x, _ := matrix.FromRows([][]float64{{1, 0, 1}})
	fmt.Printf("F(v) = %.4f\n", m.FreeEnergy(x.Row(0)))
	h := m.Transform(x) // E[h|v]
	fmt.Println("features:", h.Cols)

	path := filepath.Join(os.TempDir(), "boltz-example-model.npz")
	defer os.Remove(path)
	if err := m.Save(path, nil); err != nil {
		log.Fatal(err)
	}
	back, meta, err := rbm.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta.Visible, meta.NV, meta.NH, back.FreeEnergy(x.Row(0)) == m.FreeEnergy(x.Row(0)))
	// Output:
	// F(v) = -2.1877
	// features: 2
	// bernoulli 3 2 true
}
