package report

import (
	"strings"
	"testing"
)

func TestReadMetrics(t *testing.T) {
	const good = `{"epoch":1,"step":3,"recon_error":4.5,"log_likelihood":-10.5}
{"epoch":2,"step":6,"recon_error":4.25,"future_field":[1,2]}

{"epoch":3,"step":9,"recon_error":4}
`
	for _, tc := range []struct {
		name        string
		in          string
		wantEpochs  []int
		wantPartial int
		wantErr     string
	}{
		{"whole file", good, []int{1, 2, 3}, 0, ""},
		{"last line without newline", strings.TrimSuffix(good, "\n"), []int{1, 2, 3}, 0, ""},
		{"truncated last line", good + `{"epoch":4,"step":12,"rec`, []int{1, 2, 3}, 5, ""},
		{"empty", "", nil, 0, ""},
		{"only blank lines", "\n\n", nil, 0, ""},
		{"bad line in the middle", `{"epoch":1}` + "\n{oops\n" + `{"epoch":3}` + "\n", []int{1}, 0, "metrics line 2"},
		{"bad last line with its newline", `{"epoch":1}` + "\n{\"epoch\":\n", []int{1}, 0, "metrics line 2"},
		{"wrong type", `{"epoch":"one"}` + "\n", nil, 0, "metrics line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, partial, err := ReadMetrics(strings.NewReader(tc.in))
			if tc.wantErr == "" && err != nil {
				t.Fatalf("error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if partial != tc.wantPartial {
				t.Errorf("partial = %d, want %d", partial, tc.wantPartial)
			}
			var epochs []int
			for _, m := range ms {
				epochs = append(epochs, m.Epoch)
			}
			if len(epochs) != len(tc.wantEpochs) {
				t.Fatalf("epochs %v, want %v", epochs, tc.wantEpochs)
			}
			for i := range epochs {
				if epochs[i] != tc.wantEpochs[i] {
					t.Fatalf("epochs %v, want %v", epochs, tc.wantEpochs)
				}
			}
		})
	}
	ms, _, _ := ReadMetrics(strings.NewReader(good))
	if ms[0].LogLikelihood == nil || *ms[0].LogLikelihood != -10.5 || ms[1].LogLikelihood != nil {
		t.Errorf("log_likelihood = %v, %v; want -10.5 then absent", ms[0].LogLikelihood, ms[1].LogLikelihood)
	}
}

// FuzzReadMetrics checks that no input makes ReadMetrics panic, and that a partial line is
// only ever the last line.
func FuzzReadMetrics(f *testing.F) {
	f.Add(`{"epoch":1}` + "\n" + `{"epoch":2,"rec`)
	f.Add("\n\n{}\n")
	f.Fuzz(func(t *testing.T, in string) {
		ms, partial, err := ReadMetrics(strings.NewReader(in))
		if partial > 0 && (err != nil || strings.HasSuffix(in, "\n")) {
			t.Errorf("partial line %d with error %v or a trailing newline", partial, err)
		}
		_ = ms
	})
}
