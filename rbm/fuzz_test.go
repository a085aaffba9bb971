package rbm

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/boltzgo/boltz/npz"
)

func archiveBytes(tb testing.TB, a *npz.Archive) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := npz.Write(&buf, a); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzFromArchive checks that no model file, meta.json included, makes the reader panic,
// and that every model it accepts is valid and survives a write and a read unchanged.
func FuzzFromArchive(f *testing.F) {
	m := New(3, 2)
	m.InitNormalWithBiases(0.5, 0.5, rand.New(rand.NewPCG(1, 2)))
	a, err := m.Archive(&Meta{Data: "bas:3", ImageShape: [2]int{3, 1}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(archiveBytes(f, a))
	a.Files["meta.json"] = []byte(`{"format":"boltz-rbm","version":1,"visible":"bernoulli","hidden":"bernoulli","nv":3,"nh":2}`)
	f.Add(archiveBytes(f, a))
	a.Files["meta.json"] = []byte(`{"format":"boltz-rbm","version":2,"nv":16777216,"nh":1}`)
	f.Add(archiveBytes(f, a))
	nan := m.Clone()
	nan.W.Data[1] = math.NaN()
	if a, err = nan.Archive(nil); err != nil {
		f.Fatal(err)
	}
	f.Add(archiveBytes(f, a))
	delete(a.Files, "meta.json")
	f.Add(archiveBytes(f, a))
	f.Fuzz(func(t *testing.T, file []byte) {
		a, err := npz.Read(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		m, meta, err := FromArchive(a)
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid model: %v", err)
		}
		if m.W.Rows != meta.NV || m.W.Cols != meta.NH || len(m.W.Data) != meta.NV*meta.NH {
			t.Fatalf("meta says %d×%d, W is %d×%d with %d values", meta.NV, meta.NH, m.W.Rows, m.W.Cols, len(m.W.Data))
		}
		b, err := m.Archive(meta)
		if err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		back, _, err := FromArchive(b)
		if err != nil {
			t.Fatalf("reread: %v", err)
		}
		if !slices.Equal(back.W.Data, m.W.Data) || !slices.Equal(back.B(), m.B()) || !slices.Equal(back.C(), m.C()) {
			t.Fatal("round trip changed the parameters")
		}
	})
}
