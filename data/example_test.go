package data_test

import (
	"fmt"
	"log"

	"github.com/boltzgo/boltz/data"
)

// Load a data set by the SPEC the command line takes.
func ExampleLoad() {
	ds, err := data.Load("bas:3", data.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Name, ds.X.Rows, ds.X.Cols, ds.Shape)
	// Output: bas:3 14 9 [3 3]
}
