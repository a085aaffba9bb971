package main

import (
	"encoding/json"
	"strings"
	"testing"
)

type gradcheckOut struct {
	MaxAbsError       *float64 `json:"max_abs_error"`
	MaxRelError       *float64 `json:"max_rel_error"`
	Tolerance         *float64 `json:"tolerance"`
	Passed            *bool    `json:"passed"`
	LogZ              *float64 `json:"log_z"`
	MeanLogLikelihood *float64 `json:"mean_log_likelihood"`
	Blocks            map[string]struct {
		MaxAbsError *float64 `json:"max_abs_error"`
		MaxRelError *float64 `json:"max_rel_error"`
		WorstIndex  []int    `json:"worst_index"`
	} `json:"blocks"`
}

func TestGradcheckDefaultJSON(t *testing.T) {
	code, stdout, stderr := runCmd(t, "gradcheck", "-json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var out gradcheckOut
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if out.MaxAbsError == nil || out.MaxRelError == nil || out.Tolerance == nil || out.Passed == nil ||
		out.LogZ == nil || out.MeanLogLikelihood == nil {
		t.Fatalf("keys missing: %s", stdout)
	}
	if !*out.Passed || *out.MaxRelError > 1e-6 || *out.Tolerance != 1e-6 {
		t.Errorf("passed %v, max rel error %v, tolerance %v", *out.Passed, *out.MaxRelError, *out.Tolerance)
	}
	if *out.MeanLogLikelihood >= 0 || *out.LogZ <= 0 {
		t.Errorf("log Z %v, mean log-likelihood %v", *out.LogZ, *out.MeanLogLikelihood)
	}
	for name, idx := range map[string]int{"W": 2, "b": 1, "c": 1} {
		b, ok := out.Blocks[name]
		if !ok || b.MaxAbsError == nil || b.MaxRelError == nil || len(b.WorstIndex) != idx {
			t.Errorf("block %s: %+v", name, b)
		}
	}
}

func TestGradcheckTable(t *testing.T) {
	model := saveTestModel(t, 5, 3, 0.5) // 5 is not a square: random rows
	code, stdout, stderr := runCmd(t, "gradcheck", "-model", model)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, s := range []string{"block", "W ", "b ", "c ", "passed", "20 random rows"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}
	// Random model sized by the data.
	if code, _, stderr := runCmd(t, "gradcheck", "-data", "bas:2", "-nh", "3"); code != 0 {
		t.Errorf("-data bas:2: exit %d, stderr %q", code, stderr)
	}
}

// A tolerance no real check can meet makes the command fail with exit 1.
func TestGradcheckFails(t *testing.T) {
	code, stdout, stderr := runCmd(t, "gradcheck", "-tol", "1e-30", "-nv", "4", "-nh", "2")
	if code != 1 || !strings.Contains(stderr, "gradient check failed: max relative error") ||
		!strings.Contains(stderr, "exceeds tolerance 1e-30") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "FAILED") {
		t.Errorf("stdout %q lacks FAILED", stdout)
	}
}

func TestGradcheckBadInput(t *testing.T) {
	model := saveTestModel(t, 3, 2, 0.5)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gradcheck", "-eps", "0"}, 2, "-eps: must be a positive number"},
		{[]string{"gradcheck", "-tol", "-1"}, 2, "-tol: must be positive"},
		{[]string{"gradcheck", "-nh", "0"}, 2, "-nh: must be at least 1"},
		{[]string{"gradcheck", "-model", model, "-nv", "5"}, 2, "-nv: applies to the random model only"},
		{[]string{"gradcheck", "-model", model, "-data", "bas:2"}, 1, "rows have 4 values, the model has 3 visible units"},
		{[]string{"gradcheck", "-nv", "40", "-nh", "40"}, 1, "exceeds the limit of 2^32 states"},
		{[]string{"gradcheck", "-model", "/nonexistent/m.npz"}, 1, "boltz gradcheck: -model:"},
	} {
		code, _, stderr := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
