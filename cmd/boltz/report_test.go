package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/report"
)

// reportRunDir returns a run directory holding a random 9×4 model of bars-and-stripes 3×3
// and a run.json, and no metrics.
func reportRunDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	m := rbm.New(9, 4)
	for i := range m.W.Data {
		m.W.Data[i] = float64(i%5) - 2
	}
	if err := m.Save(filepath.Join(dir, report.ModelFile), &rbm.Meta{ImageShape: [2]int{3, 3}, Data: "bas:3"}); err != nil {
		t.Fatal(err)
	}
	run := `{"version":"test","data":"bas:3","seed":1,"config":{"method":"cd"},"nv":9,"nh":4,"image_shape":[3,3]}`
	if err := os.WriteFile(filepath.Join(dir, report.RunFile), []byte(run), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReportCommand(t *testing.T) {
	for name, args := range map[string][]string{
		"flags after DIR":  {"-samples", "4", "-sweeps", "2", "-seed", "3"},
		"flags before DIR": nil,
		"shape override":   {"-shape", "1x9", "-sweeps", "0"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := reportRunDir(t)
			full := append([]string{"report", dir}, args...)
			if args == nil {
				full = []string{"report", "-samples", "4", "-sweeps", "2", dir}
			}
			code, stdout, stderr := runCmd(t, full...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if want := filepath.Join(dir, report.HTMLFile) + "\n"; stdout != want {
				t.Errorf("stdout %q, want %q", stdout, want)
			}
			if !strings.Contains(stderr, "report: warning: no learning curves") {
				t.Errorf("stderr %q lacks the warning about metrics.jsonl", stderr)
			}
			for _, f := range []string{report.FiltersFile, report.SamplesFile, report.ReconstructionsFile, report.HTMLFile} {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s: %v", f, err)
				}
			}
		})
	}
}

func TestReportCommandErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "absent")
	empty := t.TempDir()
	file := filepath.Join(empty, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", missing}, 1, "boltz report: " + missing + ": no such directory\n"},
		{[]string{"report", empty}, 1, "boltz report: " + empty + ": no model.npz (is it a 'boltz train' run directory?)\n"},
		{[]string{"report", file}, 1, "boltz report: " + file + ": not a directory\n"},
		{[]string{"report"}, 2, "takes one run directory, got 0 arguments"},
		{[]string{"report", empty, empty}, 2, "takes one run directory, got 2 arguments"},
		{[]string{"report", "-samples", "0", empty}, 2, "-samples: must be at least 1, got 0"},
		{[]string{"report", "-sweeps", "-1", empty}, 2, "-sweeps: must be at least 0, got -1"},
		{[]string{"report", empty, "-shape", "3by3"}, 2, `-shape: want HxW, got "3by3"`},
		{[]string{"report", empty, "-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"report", reportRunDir(t), "-shape", "2x2"}, 1, "image shape 2×2 does not hold the model's 9 visible units"},
	} {
		code, stdout, stderr := runCmd(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("boltz %s: exit %d, stdout %q, stderr %q; want exit %d and %q",
				strings.Join(tc.args, " "), code, stdout, stderr, tc.code, tc.want)
		}
	}
}

func TestReportHelp(t *testing.T) {
	code, stdout, _ := runCmd(t, "help", "report")
	if code != 0 || !strings.Contains(stdout, "usage: boltz report DIR") || !strings.Contains(stdout, "-sweeps") {
		t.Errorf("boltz help report: exit %d, stdout %q", code, stdout)
	}
}
