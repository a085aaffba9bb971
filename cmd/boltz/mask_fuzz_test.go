package main

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseMask checks that no -mask file makes sample's mask reader panic, and that a
// mask it accepts marks exactly nv units.
func FuzzParseMask(f *testing.F) {
	f.Add("0,1,1,0\n", 4)
	f.Add("0,1\n1,0\n", 2)
	f.Add("0,2,1,0\n", 4)
	f.Add("a,b,c,d\n1,0,0,1\n", 4)
	f.Add("0.5,1\n", 2)
	f.Add("", 1)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string, nv int) {
		if nv < 1 || nv > 1<<12 {
			return
		}
		path := filepath.Join(dir, "mask.csv")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		missing, err := parseMask(path, nv, [2]int{})
		if err != nil {
			return
		}
		if len(missing) != nv {
			t.Fatalf("mask of %d units for a model of %d", len(missing), nv)
		}
	})
}
