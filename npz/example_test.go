package npz_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/boltzgo/boltz/npz"
)

// Write an array as numpy's .npy format and read it back; numpy.load reads the same bytes.
func ExampleWriteNPY() {
	var buf bytes.Buffer
	a := &npz.Array{Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}, Dtype: "<f8"}
	if err := npz.WriteNPY(&buf, a); err != nil {
		log.Fatal(err)
	}
	back, err := npz.ReadNPY(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Shape, back.Data)
	// Output: [2 2] [1 2 3 4]
}
