package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/npz"
)

func trainedBAS3(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := boltz(t, append([]string{"train", "-o", dir}, quickTrain...)...); code != 0 {
		t.Fatal(stderr)
	}
	return filepath.Join(dir, "model.npz")
}

func TestSample(t *testing.T) {
	model := trainedBAS3(t)
	dir := t.TempDir()
	pngPath, npyPath := filepath.Join(dir, "s.png"), filepath.Join(dir, "s.npy")
	if code, _, stderr := boltz(t, "sample", "-model", model, "-n", "6", "-steps", "5", "-o", pngPath); code != 0 {
		t.Fatal(stderr)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() == 0 {
		t.Fatalf("png: %v", err)
	}
	for _, method := range []string{"gibbs", "pt"} {
		if code, _, stderr := boltz(t, "sample", "-model", model, "-n", "5", "-steps", "3", "-method", method, "-o", npyPath); code != 0 {
			t.Fatal(stderr)
		}
		raw, err := os.Open(npyPath)
		if err != nil {
			t.Fatal(err)
		}
		a, err := npz.ReadNPY(raw)
		raw.Close()
		if err != nil || len(a.Shape) != 2 || a.Shape[0] != 5 || a.Shape[1] != 9 {
			t.Fatalf("%s: npy %v, %v", method, a, err)
		}
		for _, v := range a.Data {
			if v != 0 && v != 1 {
				t.Fatalf("%s: sample value %v", method, v)
			}
		}
	}
	// Clamped sampling keeps the known values: mask the last 3 of 9 units.
	mask := filepath.Join(dir, "mask.csv")
	os.WriteFile(mask, []byte("0,0,0,0,0,0,1,1,1\n"), 0o644)
	if code, _, stderr := boltz(t, "sample", "-model", model, "-n", "4", "-steps", "10", "-clamp", "bas:3", "-mask", mask, "-o", npyPath); code != 0 {
		t.Fatal(stderr)
	}
	raw, _ := os.Open(npyPath)
	a, err := npz.ReadNPY(raw)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	known := data.BarsAndStripes(3).X
	for r := 0; r < 4; r++ {
		for i := 0; i < 6; i++ {
			if got, want := a.Data[r*9+i], known.At(r, i); got != want {
				t.Fatalf("row %d, known unit %d: %v after clamped sampling, data %v", r, i, got, want)
			}
		}
	}
}

func TestSampleBadInput(t *testing.T) {
	model := trainedBAS3(t)
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-o", filepath.Join(dir, "x.png")}, 2, "-model"},
		{[]string{"-model", model, "-o", filepath.Join(dir, "x.gif")}, 2, "-o: must end in .png or .npy"},
		{[]string{"-model", model, "-n", "0", "-o", filepath.Join(dir, "x.png")}, 2, "-n: must be at least 1"},
		{[]string{"-model", model, "-method", "hmc", "-o", filepath.Join(dir, "x.png")}, 2, "-method"},
		{[]string{"-model", model, "-clamp", "bas:3", "-o", filepath.Join(dir, "x.png")}, 2, "-clamp"},
		{[]string{"-model", model, "-clamp", "bas:4", "-mask", "top", "-o", filepath.Join(dir, "x.png")}, 1, "16 values"},
		{[]string{"-model", filepath.Join(dir, "none.npz"), "-o", filepath.Join(dir, "x.png")}, 1, "-model"},
		{[]string{"-model", model, "-o", filepath.Join(dir, "no", "such", "x.png")}, 1, "-o"},
	}
	for _, c := range cases {
		code, _, stderr := boltz(t, append([]string{"sample"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
