package train

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func f64(x float64) *float64 { return &x }

// With finite numbers MarshalJSON writes exactly what encoding/json writes for the plain
// struct, so older readers and files are unaffected.
func TestMetricsJSONMatchesEncodingJSON(t *testing.T) {
	type plain Metrics
	for _, m := range []Metrics{
		{},
		{Epoch: 3, Step: 12, ElapsedSeconds: 0.25, LearningRate: 0.1, ReconError: 1.5, PseudoLogLikelihood: -3,
			FreeEnergyGap: f64(0.5), LogZ: f64(12.25), GradCosine: f64(1e-300), SwapRates: []float64{0.1, 0.9}},
	} {
		got, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(plain(m))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("MarshalJSON\n%s\nencoding/json\n%s", got, want)
		}
	}
}

// Non-finite numbers are written as null and read back as NaN; absent fields stay absent.
func TestMetricsJSONNonFinite(t *testing.T) {
	m := Metrics{Epoch: 2, ReconError: math.NaN(), PseudoLogLikelihood: math.Inf(-1),
		LogLikelihood: f64(math.Inf(-1)), GradCosine: f64(0.5), SwapRates: []float64{math.NaN(), 0.25, math.Inf(1)}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"recon_error":null`, `"pseudo_log_likelihood":null`, `"log_likelihood":null`,
		`"swap_rates":[null,0.25,null]`, `"grad_cosine":0.5`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "log_z") {
		t.Errorf("%s: an absent field was written", b)
	}
	var back Metrics
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Epoch != 2 || !math.IsNaN(back.ReconError) || !math.IsNaN(back.PseudoLogLikelihood) ||
		back.LogLikelihood == nil || !math.IsNaN(*back.LogLikelihood) || *back.GradCosine != 0.5 || back.LogZ != nil {
		t.Errorf("read back %+v", back)
	}
	if len(back.SwapRates) != 3 || !math.IsNaN(back.SwapRates[0]) || back.SwapRates[1] != 0.25 || !math.IsNaN(back.SwapRates[2]) {
		t.Errorf("swap rates read back as %v", back.SwapRates)
	}
	again, err := json.Marshal(back)
	if err != nil || string(again) != string(b) {
		t.Errorf("second round trip: %s, %v; want %s", again, err, b)
	}
}
