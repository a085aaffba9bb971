package matrix_test

import (
	"fmt"
	"log"

	"github.com/boltzgo/boltz/matrix"
	"gonum.org/v1/gonum/mat"
)

// Build a matrix from rows, and hand it to gonum and back without copying.
func Example() {
	x, err := matrix.FromRows([][]float64{{1, 0, 1}, {0, 1, 1}})
	if err != nil {
		log.Fatal(err)
	}
	g := matrix.ToGonum(x) // shares x's storage
	var sum mat.Dense
	sum.Add(g, g)
	y := matrix.FromGonum(&sum)
	fmt.Println(x.Rows, x.Cols, y.Row(1))
	// Output: 2 3 [0 2 2]
}
