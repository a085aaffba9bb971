package data

import (
	"errors"
	"io"
)

// ReadNPYData reads a 2-D array from a .npy file. Reading .npy needs package npz, which is
// not in the module yet; until it is, this returns an error.
func ReadNPYData(r io.Reader, name string) (*Dataset, error) {
	return nil, errors.New(name + ": reading .npy is not available yet")
}
