package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// Spin and Potts models go through train, eval, sample and gradcheck end to end: ±1 Ising
// rows train spin units without -binarize, categories train Potts units with Q read from
// the data, eval enumerates, sample writes categories, and data that a layer refuses gets
// an error that points to the right unit type.
func TestSpinAndPottsCommands(t *testing.T) {
	dir := t.TempDir()
	quick := []string{"-hidden", "4", "-epochs", "2", "-batch", "50", "-no-report", "-final-eval", "none"}
	spin := filepath.Join(dir, "spin")
	if code, _, stderr := boltz(t, append([]string{"train", "-o", spin, "-data", "ising:3:2.5:200",
		"-visible-units", "spin", "-hidden-units", "spin"}, quick...)...); code != 0 {
		t.Fatalf("train spin: exit %d: %s", code, stderr)
	}
	m, _, err := rbm.Load(filepath.Join(spin, "model.npz"))
	if err != nil || m.Visible.Name() != "spin" || m.Hidden.Name() != "spin" {
		t.Fatalf("spin model: %v, %v", m, err)
	}
	code, stdout, stderr := boltz(t, "eval", "-model", filepath.Join(spin, "model.npz"), "-data", "ising:3:2.5:50:2")
	if code != 0 || !strings.Contains(stdout, "exact") || !strings.Contains(stdout, "pseudo-log-likelihood:  n/a") {
		t.Errorf("eval spin: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := boltz(t, "gradcheck", "-model", filepath.Join(spin, "model.npz"), "-data", "ising:3:2.5:20"); code != 0 {
		t.Errorf("gradcheck spin: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := boltz(t, "sample", "-model", filepath.Join(spin, "model.npz"), "-n", "4", "-steps", "2", "-o", filepath.Join(dir, "s.png")); code != 0 {
		t.Errorf("sample spin: exit %d: %s", code, stderr)
	}

	potts := filepath.Join(dir, "potts")
	code, _, stderr = boltz(t, append([]string{"train", "-o", potts, "-data", "potts-chain:3:5:200", "-visible-units", "potts"}, quick...)...)
	if code != 0 || !strings.Contains(stderr, "potts:3") {
		t.Fatalf("train potts: exit %d: %s", code, stderr)
	}
	m, _, err = rbm.Load(filepath.Join(potts, "model.npz"))
	if err != nil || m.Visible.Name() != "potts:3" || m.NV() != 15 {
		t.Fatalf("potts model: %v, %v", m, err)
	}
	if code, stdout, stderr := boltz(t, "eval", "-model", filepath.Join(potts, "model.npz"), "-data", "potts-chain:3:5:50"); code != 0 {
		t.Errorf("eval potts: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := boltz(t, "gradcheck", "-model", filepath.Join(potts, "model.npz")); code != 0 || !strings.Contains(stdout, "random potts:3 states") {
		t.Errorf("gradcheck potts on its default data: exit %d\n%s\n%s", code, stdout, stderr)
	}
	out := filepath.Join(dir, "s.npy")
	if code, _, stderr := boltz(t, "sample", "-model", filepath.Join(potts, "model.npz"), "-n", "7", "-steps", "5", "-o", out); code != 0 {
		t.Fatalf("sample potts: exit %d: %s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := npz.ReadNPY(f)
	if err != nil || len(a.Shape) != 2 || a.Shape[0] != 7 || a.Shape[1] != 5 {
		t.Fatalf("samples: %v, %v", a, err)
	}
	for _, v := range a.Data {
		if v != 0 && v != 1 && v != 2 {
			t.Fatalf("sample value %v is not a category of 3", v)
		}
	}

	// Too large to enumerate: where AIS does not take the unit types, there is no AIS
	// monitor and the automatic final evaluation is skipped with the reason, not a failed run.
	big := filepath.Join(dir, "big")
	code, stdout, stderr = boltz(t, "train", "-o", big, "-data", "ising:5:2.5:100", "-visible-units", "spin", "-hidden", "26",
		"-epochs", "1", "-batch", "50", "-no-report", "-test", "ising:5:2.5:20:2")
	if code != 0 || !strings.Contains(stderr+stdout, "final evaluation skipped: ais needs") && !strings.Contains(stderr+stdout, "test log-likelihood") {
		t.Errorf("train spin 25×26: exit %d\n%s\n%s", code, stdout, stderr)
	}

	for _, c := range []struct{ units, spec, want string }{
		{"bernoulli", "ising:3:2.5:20", "-visible-units spin"},
		{"bernoulli", "potts-chain:3:5:20", "-visible-units potts"},
		{"spin", "potts-chain:3:5:20", "not a spin state"},
		{"potts:2", "potts-chain:3:5:20", "not a potts:2 state"},
	} {
		code, _, stderr := boltz(t, append([]string{"train", "-o", filepath.Join(dir, "bad"), "-data", c.spec, "-visible-units", c.units}, quick...)...)
		if code == 0 || !strings.Contains(stderr, c.want) || (c.units != "bernoulli" && strings.Contains(stderr, "-binarize")) {
			t.Errorf("%s on %s: exit %d, stderr %q; want %q", c.units, c.spec, code, stderr, c.want)
		}
	}
}
