package train

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
	"github.com/boltzgo/boltz/rbm"
)

// TestAPIMisuseIsAnError drives the exported API the ways issue 13 found to panic or to
// do nothing silently, and checks each returns an error naming the problem, with the
// trainer's position unchanged.
func TestAPIMisuseIsAnError(t *testing.T) {
	x := data.BarsAndStripes(3).X // 14 rows, 9 columns
	cases := []struct {
		name   string
		config func(c *Config)
		change func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options)
		want   string
	}{
		{"batch changed, float32", func(c *Config) { c.Method, c.Precision = "cd", "float32" },
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				tr.Config.Batch = 14
				return x, Options{}
			}, "Config.Batch changed from 7 to 14"},
		{"batch changed, cd", func(c *Config) { c.Method = "cd" },
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				tr.Config.Batch = 2
				return x, Options{}
			}, "Config.Batch changed from 7 to 2"},
		{"batch 0 after New", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				tr.Config.Batch = 0
				return x, Options{}
			}, "Config.Batch must be at least 1, got 0"},
		{"valid of the wrong width", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				return x, Options{Valid: matrix.NewDense(3, 4)}
			}, "held-out data (Options.Valid) has 4 columns, model has 9"},
		{"fewer rows than batch", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				return x.Slice(0, 5), Options{}
			}, "Config.Batch must be at most the 5 rows of the training data, got 7"},
		{"method changed", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				tr.Config.Method = "cd"
				return x, Options{}
			}, "Config.Method changed from pcd to cd"},
		{"optimizer changed", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				tr.Config.Optimizer = "adam"
				return x, Options{}
			}, "Config.Optimizer changed from sgd to adam"},
		{"nil data", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) { return nil, Options{} },
			"no training data"},
		{"data of the wrong width", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) { return matrix.NewDense(14, 4), Options{} },
			"training data has 4 columns, model has 9"},
		{"model swapped for another size", nil,
			func(tr *Trainer, x *matrix.Dense) (*matrix.Dense, Options) {
				tr.Model = tr.Model.Clone()
				tr.Model.Hidden = rbm.NewBernoulli(2)
				tr.Model.W = matrix.NewDense(9, 2)
				return x, Options{}
			}, "Model is 9×2, the trainer was built for 9×4"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := smallConfig("pcd")
			c.Epochs = 1
			if tc.config != nil {
				tc.config(&c)
			}
			tr, err := New(c, x)
			if err != nil {
				t.Fatal(err)
			}
			if err := tr.Run(context.Background(), x, Options{}); err != nil {
				t.Fatal(err)
			}
			tr.Config.Epochs = 2
			data, opts := tc.change(tr, x)
			step, epoch := tr.Step, tr.Epoch
			err = tr.Run(context.Background(), data, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error containing %q", err, tc.want)
			}
			if tr.Step != step || tr.Epoch != epoch {
				t.Errorf("a refused Run moved the trainer from epoch %d step %d to %d, %d", epoch, step, tr.Epoch, tr.Step)
			}
		})
	}
}

// TestChangedErrorIsTyped checks that a structural change comes back as *ChangedError.
func TestChangedErrorIsTyped(t *testing.T) {
	x := data.BarsAndStripes(3).X
	tr, err := New(smallConfig("pcd"), x)
	if err != nil {
		t.Fatal(err)
	}
	tr.Config.K = 3
	var ce *ChangedError
	if err := tr.Run(context.Background(), x, Options{}); !errors.As(err, &ce) || ce.Field != "k" {
		t.Fatalf("Run = %v, want a *ChangedError for k", err)
	}
}

// TestNewNilData checks that New refuses a nil matrix instead of dereferencing it.
func TestNewNilData(t *testing.T) {
	if _, err := New(smallConfig("cd"), nil); err == nil || !strings.Contains(err.Error(), "no training data") {
		t.Fatalf("New(cfg, nil) = %v, want an error", err)
	}
}

// TestBatchChangeHonoured checks that where the minibatch size sizes nothing (float64 PCD
// with a set number of chains), changing it between runs is honoured: the second run
// makes 14/2 = 7 updates per epoch.
func TestBatchChangeHonoured(t *testing.T) {
	x := data.BarsAndStripes(3).X
	c := smallConfig("pcd")
	c.Chains, c.Epochs, c.Precision = 5, 1, Float64
	tr, err := New(c, x)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), x, Options{}); err != nil {
		t.Fatal(err)
	}
	tr.Config.Batch, tr.Config.Epochs = 2, 2
	if err := tr.Run(context.Background(), x, Options{}); err != nil {
		t.Fatal(err)
	}
	if tr.Step != 2+7 {
		t.Fatalf("step %d after one epoch of batch 7 and one of batch 2, want 9", tr.Step)
	}
}

func checkpointBytes(tb testing.TB, tr *Trainer) []byte {
	tb.Helper()
	a, err := tr.Archive(nil)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := npz.Write(&buf, a); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzFromArchive checks that no checkpoint file makes the reader panic or allocate for
// chains it does not hold, and that every checkpoint it accepts has a valid model and
// configuration and writes back to an archive that reads the same.
func FuzzFromArchive(f *testing.F) {
	x := data.BarsAndStripes(2).X // 6 rows, 4 columns: small seeds
	for _, set := range []func(c *Config){
		func(c *Config) { c.Method = "cd" },
		func(c *Config) { c.Method = "pcd"; c.Chains = 3 },
		func(c *Config) { c.Method, c.Optimizer = "fpcd", "adam" },
		func(c *Config) { c.Method, c.Replicas, c.Centered = "pt", 3, true },
		func(c *Config) { c.Method = "exact" },
		func(c *Config) { c.Method, c.Precision = "pcd", "float32" },
	} {
		c := smallConfig("")
		c.Hidden, c.Batch, c.Epochs, c.ExactMonitor = 2, 3, 1, 0
		set(&c)
		tr, err := New(c, x)
		if err != nil {
			f.Fatal(err)
		}
		if err := tr.Run(context.Background(), x, Options{}); err != nil {
			f.Fatal(err)
		}
		f.Add(checkpointBytes(f, tr))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		a, err := npz.Read(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		tr, _, err := FromArchive(a)
		if err != nil {
			return
		}
		if err := tr.Model.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
		if err := tr.Config.Validate(tr.Config.Batch, tr.Model.NV()); err != nil {
			t.Fatalf("accepted an invalid configuration: %v", err)
		}
		again, _, err := FromArchive(mustArchive(t, tr))
		if err != nil {
			t.Fatalf("reread: %v", err)
		}
		if again.Epoch != tr.Epoch || again.Step != tr.Step || !slices.Equal(again.Model.W.Data, tr.Model.W.Data) {
			t.Fatal("round trip changed the checkpoint")
		}
	})
}

func mustArchive(t *testing.T, tr *Trainer) *npz.Archive {
	a, err := tr.Archive(nil)
	if err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	return a
}

// TestCheckpointCountsMatchArrays: a checkpoint whose configuration asks for more chains,
// replicas or minibatch rows than its arrays hold is refused before anything is allocated
// for them (issue 13: a corrupt count must not exhaust memory).
func TestCheckpointCountsMatchArrays(t *testing.T) {
	x := data.BarsAndStripes(2).X
	for name, tc := range map[string]struct {
		set  func(c *Config)
		edit string
		want string
	}{
		"pcd chains": {func(c *Config) { c.Method, c.Chains = "pcd", 3 }, `"chains": 1000000000`, "array pcd_V has shape [3 4], the configuration needs 1000000000×4"},
		"cd batch":   {func(c *Config) { c.Method = "cd" }, `"batch": 1000000000`, "array cd_V has shape [3 4], the configuration needs 1000000000×4"},
		"pt replicas": {func(c *Config) { c.Method, c.Replicas = "pt", 3 }, `"replicas": 1000000000`,
			"missing array pt3_V for method pt"},
		"bad config": {func(c *Config) { c.Method = "pcd" }, `"lr": -1`, "Config.LR must be positive and finite, got -1"},
	} {
		t.Run(name, func(t *testing.T) {
			c := smallConfig("")
			c.Hidden, c.Batch, c.Epochs = 2, 3, 1
			tc.set(&c)
			tr, err := New(c, x)
			if err != nil {
				t.Fatal(err)
			}
			a := mustArchive(t, tr)
			js := string(a.Files["checkpoint.json"])
			field := tc.edit[:strings.Index(tc.edit, ":")+1]
			i := strings.Index(js, field)
			j := i + strings.IndexAny(js[i:], ",\n")
			a.Files["checkpoint.json"] = []byte(js[:i] + tc.edit + js[j:])
			if _, _, err := FromArchive(a); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("FromArchive = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
