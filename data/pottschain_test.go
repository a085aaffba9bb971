package data

import (
	"math"
	"strings"
	"testing"
)

// enumeratePotts calls f with every sequence of n sites in q states, as float64 values.
func enumeratePotts(q, n int, f func(x []float64)) {
	x := make([]float64, n)
	total := int(math.Pow(float64(q), float64(n)))
	for code := range total {
		for i, c := 0, code; i < n; i, c = i+1, c/q {
			x[i] = float64(c % q)
		}
		f(x)
	}
}

// TestPottsChainExact checks log p, log Z, the entropy and the marginals of small chains
// against brute-force enumeration of all Q^N sequences.
func TestPottsChainExact(t *testing.T) {
	for _, c := range []struct{ q, n int }{{3, 5}, {2, 1}, {2, 7}, {4, 4}} {
		chain := NewPottsChain(c.q, c.n, 7)
		var logZ []float64
		enumeratePotts(c.q, c.n, func(x []float64) {
			logZ = append(logZ, chain.score(func(i int) int { return int(x[i]) }))
		})
		wantLogZ := logSumExp(logZ)
		if math.Abs(chain.LogZ()-wantLogZ) > 1e-12 {
			t.Errorf("Q=%d N=%d: log Z = %.15g, enumeration %.15g", c.q, c.n, chain.LogZ(), wantLogZ)
		}
		var total, entropy float64
		marg := make([][]float64, c.n)
		for i := range marg {
			marg[i] = make([]float64, c.q)
		}
		enumeratePotts(c.q, c.n, func(x []float64) {
			lp := chain.LogProb(x)
			if want := chain.score(func(i int) int { return int(x[i]) }) - wantLogZ; math.Abs(lp-want) > 1e-12 {
				t.Fatalf("Q=%d N=%d: log p(%v) = %.15g, enumeration %.15g", c.q, c.n, x, lp, want)
			}
			p := math.Exp(lp)
			total += p
			entropy -= p * lp
			for i, v := range x {
				marg[i][int(v)] += p
			}
		})
		if math.Abs(total-1) > 1e-12 {
			t.Errorf("Q=%d N=%d: Σ p = %.15g", c.q, c.n, total)
		}
		if got := chain.Entropy(); math.Abs(got-entropy) > 1e-12 {
			t.Errorf("Q=%d N=%d: H = %.15g, enumeration %.15g", c.q, c.n, got, entropy)
		}
		for i, row := range chain.Marginals() {
			for a, p := range row {
				if math.Abs(p-marg[i][a]) > 1e-12 {
					t.Errorf("Q=%d N=%d: p(x_%d = %d) = %.15g, enumeration %.15g", c.q, c.n, i, a, p, marg[i][a])
				}
			}
		}
	}
}

// TestPottsChainSamples checks the exact draws: the mean of −log p(x) over the rows matches
// the entropy, and each site's state frequencies match the exact marginals, within 4
// standard errors (the rows are independent, so SE = sd/√rows, and √(p(1−p)/rows) for a
// frequency).
func TestPottsChainSamples(t *testing.T) {
	const q, n, rows = 5, 12, 20000
	d := PottsChainData(q, n, rows, 3)
	chain := NewPottsChain(q, n, 3)
	if d.X.Rows != rows || d.X.Cols != n {
		t.Fatalf("%d×%d, want %d×%d", d.X.Rows, d.X.Cols, rows, n)
	}
	nll := make([]float64, rows)
	counts := make([][]float64, n)
	for i := range counts {
		counts[i] = make([]float64, q)
	}
	for r := range rows {
		x := d.X.Row(r)
		nll[r] = -chain.LogProb(x) // also panics on a value outside 0..Q−1
		for i, v := range x {
			counts[i][int(v)]++
		}
	}
	var mean, sq float64
	for _, v := range nll {
		mean += v
	}
	mean /= rows
	for _, v := range nll {
		sq += (v - mean) * (v - mean)
	}
	se := math.Sqrt(sq / (rows - 1) / rows)
	if h := chain.Entropy(); math.Abs(mean-h) > 4*se {
		t.Errorf("mean −log p = %.5f ± %.5f, H = %.5f", mean, se, h)
	}
	for i, row := range chain.Marginals() {
		for a, p := range row {
			f := counts[i][a] / rows
			if se := math.Sqrt(p * (1 - p) / rows); math.Abs(f-p) > 4*se+1e-12 {
				t.Errorf("site %d state %d: frequency %.5f, exact %.5f ± %.5f", i, a, f, p, se)
			}
		}
	}
}

func TestPottsChainDeterministic(t *testing.T) {
	a := PottsChainData(3, 6, 40, 9)
	b := PottsChainData(3, 6, 10, 9)
	for i, v := range b.X.Data {
		if v != a.X.Data[i] {
			t.Fatalf("the first 10 rows of 40 and of 10 differ at %d", i)
		}
	}
	c := NewPottsChain(3, 6, 10)
	if c.LogZ() == NewPottsChain(3, 6, 9).LogZ() {
		t.Error("seeds 9 and 10 gave the same chain")
	}
}

func TestLoadGenerated(t *testing.T) {
	for spec, want := range map[string][3]int{
		"ising:4:2.0:50":        {50, 16, 4},
		"ising:3:1e9":           {DefaultIsingRows, 9, 3},
		"ising:6:2.269:5:42":    {5, 36, 6},
		"potts-chain:3:5":       {DefaultPottsRows, 5, 0},
		"potts-chain:21:8:30:7": {30, 8, 0},
	} {
		d, err := Load(spec, LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if d.Name != spec || d.X.Rows != want[0] || d.X.Cols != want[1] || d.Shape != [2]int{want[2], want[2]} {
			t.Errorf("%s: %q %d×%d shape %v, want %v", spec, d.Name, d.X.Rows, d.X.Cols, d.Shape, want)
		}
	}
	for spec, msg := range map[string]string{
		"ising:":                    "ising:L:T",
		"ising:8":                   "ising:L:T",
		"ising:1:2":                 "L must be an integer in 2..256",
		"ising:8:0":                 "T must be a positive temperature",
		"ising:8:-1":                "T must be a positive temperature",
		"ising:8:NaN":               "T must be a positive temperature",
		"ising:8:Inf":               "T must be a positive temperature",
		"ising:8:2:0":               "N must be an integer",
		"ising:8:2:10:x":            "SEED must be",
		"ising:8:2:10:1:2":          "ising:L:T",
		"ising:256:2:10000":         "exceed",
		"potts-chain:1:5":           "Q must be an integer in 2..21",
		"potts-chain:22:5":          "Q must be an integer in 2..21",
		"potts-chain:3:0":           "N must be an integer in 1..10000",
		"potts-chain:3":             "potts-chain:Q:N",
		"potts-chain:3:5:0":         "ROWS must be",
		"potts-chain:3:5:10:-1":     "SEED must be",
		"potts-chain:3:10000:1e9":   "ROWS must be",
		"potts-chain:3:10000:20000": "exceed",
	} {
		if _, err := Load(spec, LoadOptions{}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one containing %q", spec, err, msg)
		}
	}
}

// DRAW 0 is the rows without DRAW; another DRAW gives other rows of the same chain.
func TestPottsChainDraw(t *testing.T) {
	a, err := Load("potts-chain:3:5:50:2", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load("potts-chain:3:5:50:2:0", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load("potts-chain:3:5:50:2:1", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	same, differ := true, false
	for i, v := range a.X.Data {
		same = same && b.X.Data[i] == v
		differ = differ || c.X.Data[i] != v
	}
	if !same || !differ {
		t.Errorf("DRAW 0 same as none: %v; DRAW 1 differs: %v", same, differ)
	}
	if _, err := Load("potts-chain:3:5:50:2:x", LoadOptions{}); err == nil {
		t.Error("a DRAW that is not a number was accepted")
	}
}
