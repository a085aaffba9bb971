// Command ising trains spin-visible RBMs on Ising configurations (data.Ising) and compares
// them with the model that generated the data.
//
// -mode kl (L = 4): the exact KL(Ising ‖ RBM) = Σ_s p_I(s) [log p_I(s) − log p_RBM(s)],
// summing over all 2^16 configurations of the 4×4 torus, with the Ising distribution
// p_I(s) ∝ exp(−E(s)/T) and the RBM's log Z both enumerated, for each number of hidden units.
//
// -mode thermo (L = 8 by default): per temperature, the energy per site u, |m|, the specific
// heat C = L²(⟨u²⟩ − ⟨u⟩²)/T² and the susceptibility χ = L²(⟨m²⟩ − ⟨|m|⟩²)/T of the training
// rows and of RBM samples (independent Gibbs chains from random spins), with jackknife
// standard errors over 20 blocks, as a Markdown table and a plot (-plot FILE.svg or .png).
//
// Usage:
//
//	go run ./experiments/ising -mode kl -T 2.269185 -nh 1,2,4,8,16,32
//	go run ./experiments/ising -mode thermo -L 8 -temps 1.5,2,2.269185,2.5,3,3.5 -nh 64 -plot docs/ising-rbm.svg
//	go run ./experiments/ising -mode thermo -table TABLE.md -plot p.png    # plot a printed table again
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/numeric"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/rbm"
	"github.com/boltzgo/boltz/train"
)

type options struct {
	L, rows, epochs, batch, k, chains, sweeps int
	lr                                        float64
	method, hidden                            string
	seed                                      uint64
}

func main() {
	mode := flag.String("mode", "kl", "kl (exact KL on the 4×4 torus) or thermo (observables across T)")
	var o options
	flag.IntVar(&o.L, "L", 0, "lattice side (default 4 for kl, 8 for thermo)")
	T := flag.Float64("T", data.IsingCriticalTemperature, "temperature for -mode kl")
	temps := flag.String("temps", "1.5,2,2.269185,2.5,3,3.5", "temperatures for -mode thermo")
	nhList := flag.String("nh", "", "hidden units, comma-separated (default 1,2,4,8,16,32 for kl, 64 for thermo)")
	flag.IntVar(&o.rows, "rows", 10000, "training rows (ising:L:T:ROWS:SEED)")
	flag.IntVar(&o.epochs, "epochs", 50, "epochs")
	flag.IntVar(&o.batch, "batch", 100, "minibatch rows")
	flag.IntVar(&o.k, "k", 1, "Gibbs sweeps per update")
	flag.Float64Var(&o.lr, "lr", 0.05, "learning rate")
	flag.StringVar(&o.method, "method", "pcd", "negative phase: exact, cd, pcd, pt")
	flag.StringVar(&o.hidden, "hidden-units", "bernoulli", "hidden unit type")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the data and the training")
	flag.IntVar(&o.chains, "chains", 2000, "RBM sample chains for -mode thermo")
	flag.IntVar(&o.sweeps, "sweeps", 1000, "Gibbs sweeps per chain for -mode thermo")
	plotFile := flag.String("plot", "", "write the -mode thermo plot to this .svg or .png file")
	table := flag.String("table", "", "-mode thermo: plot the table this program printed to FILE instead of training")
	flag.Parse()
	switch *mode {
	case "kl":
		o.L = cmp0(o.L, 4)
		runKL(o, *T, ints(cmpS(*nhList, "1,2,4,8,16,32")))
	case "thermo":
		o.L = cmp0(o.L, 8)
		nh := ints(cmpS(*nhList, "64"))
		if len(nh) != 1 {
			fail(fmt.Errorf("-mode thermo takes one -nh"))
		}
		if *table != "" {
			temps, d, r := readTable(*table)
			if err := plotThermo(*plotFile, temps, d, r, nh[0]); err != nil {
				fail(err)
			}
			return
		}
		runThermo(o, floats(*temps), nh[0], *plotFile)
	default:
		fail(fmt.Errorf("-mode must be kl or thermo, got %q", *mode))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ising:", err)
	os.Exit(1)
}

func cmp0(x, d int) int {
	if x == 0 {
		return d
	}
	return x
}

func cmpS(x, d string) string {
	if x == "" {
		return d
	}
	return x
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			fail(err)
		}
		out = append(out, v)
	}
	return out
}

func floats(s string) []float64 {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			fail(err)
		}
		out = append(out, v)
	}
	return out
}

// trainRBM trains a spin-visible RBM with nh hidden units on x.
func trainRBM(o options, x *matrix.Dense, nh int) (*rbm.RBM, float64) {
	cfg := train.Defaults()
	cfg.VisibleUnits, cfg.HiddenUnits, cfg.Hidden = "spin", o.hidden, nh
	cfg.Method, cfg.K, cfg.Epochs, cfg.Batch, cfg.LR, cfg.Seed = train.Method(o.method), o.k, o.epochs, o.batch, o.lr, o.seed
	cfg.NoMonitors, cfg.AISEvery, cfg.ExactMonitor = true, 0, 0
	start := time.Now()
	tr, err := train.New(cfg, x)
	if err != nil {
		fail(err)
	}
	if err := tr.Run(context.Background(), x, train.Options{}); err != nil {
		fail(err)
	}
	return tr.Model, time.Since(start).Seconds()
}

// runKL prints the exact KL(Ising ‖ RBM) on the L×L torus for each number of hidden units.
func runKL(o options, T float64, nhs []int) {
	n := o.L * o.L
	if n > 20 {
		fail(fmt.Errorf("-mode kl enumerates 2^(L²) states: L = %d is too large", o.L))
	}
	states := matrix.NewDense(1<<n, n)
	logP := make([]float64, states.Rows)
	for k := range states.Rows {
		s := states.Row(k)
		for i := range s {
			s[i] = float64(2*int(k>>i&1) - 1)
		}
		logP[k] = -float64(n) * data.IsingEnergy(s, o.L) / T
	}
	logZI := numeric.LogSumExp(logP)
	var H float64
	for k := range logP {
		logP[k] -= logZI
		H -= math.Exp(logP[k]) * logP[k]
	}
	x := data.Ising(o.L, T, o.rows, o.seed).X
	fmt.Printf("# Ising %d×%d torus at T = %g: exact entropy H = %.4f nats (uniform: %.4f); %d training rows (ising:%d:%g:%d:%d)\n",
		o.L, o.L, T, H, float64(n)*math.Ln2, o.rows, o.L, T, o.rows, o.seed)
	fmt.Printf("# spin visible, %s hidden; %s-%d, %d epochs, batch %d, lr %g (train.Defaults otherwise)\n", o.hidden, o.method, o.k, o.epochs, o.batch, o.lr)
	fmt.Println("| hidden units | exact KL(Ising ‖ RBM), nats | exact log-likelihood of the training rows | train s |")
	fmt.Println("|---|---|---|---|")
	for _, nh := range nhs {
		m, secs := trainRBM(o, x, nh)
		logZ, err := exact.LogZ(m, nil)
		if err != nil {
			fail(err)
		}
		f := m.FreeEnergyBatch(nil, states, nil)
		var kl float64
		for k, lp := range logP {
			kl += math.Exp(lp) * (lp + f[k] + logZ)
		}
		ll := exact.MeanLogLikelihood(m, x, logZ)
		fmt.Printf("| %d | %.4f | %.4f | %.0f |\n", nh, kl, ll, secs)
	}
}

// observables are the thermodynamic estimates of one set of configurations with their
// jackknife standard errors: u, |m|, C, χ.
type observables struct {
	val, se [4]float64
}

const jackBlocks = 20

// measure returns the observables of the rows of x (L×L spins) at temperature T.
func measure(x *matrix.Dense, L int, T float64) observables {
	sites := float64(L * L)
	u := make([]float64, x.Rows)
	m := make([]float64, x.Rows)
	for r := range x.Rows {
		u[r] = data.IsingEnergy(x.Row(r), L)
		m[r] = data.IsingMagnetization(x.Row(r))
	}
	est := func(skip int) [4]float64 {
		var su, su2, sm, sm2, cnt float64
		for r := range u {
			if skip >= 0 && r*jackBlocks/len(u) == skip {
				continue
			}
			su += u[r]
			su2 += u[r] * u[r]
			sm += math.Abs(m[r])
			sm2 += m[r] * m[r]
			cnt++
		}
		mu, mm := su/cnt, sm/cnt
		return [4]float64{mu, mm, sites * (su2/cnt - mu*mu) / (T * T), sites * (sm2/cnt - mm*mm) / T}
	}
	var o observables
	o.val = est(-1)
	var jk [jackBlocks][4]float64
	var mean [4]float64
	for b := range jackBlocks {
		jk[b] = est(b)
		for q := range mean {
			mean[q] += jk[b][q] / jackBlocks
		}
	}
	for q := range o.se {
		var s float64
		for b := range jackBlocks {
			d := jk[b][q] - mean[q]
			s += d * d
		}
		o.se[q] = math.Sqrt(float64(jackBlocks-1) / jackBlocks * s)
	}
	return o
}

// runThermo prints the observables of data and RBM samples across temperatures and plots them.
func runThermo(o options, temps []float64, nh int, plotFile string) {
	fmt.Printf("# Ising %d×%d: %d rows per temperature (ising:%d:T:%d:%d); spin visible, %d %s hidden; %s-%d, %d epochs, batch %d, lr %g; "+
		"RBM samples: %d chains × %d Gibbs sweeps from random spins; ± one jackknife standard error (%d blocks)\n",
		o.L, o.L, o.rows, o.L, o.rows, o.seed, nh, o.hidden, o.method, o.k, o.epochs, o.batch, o.lr, o.chains, o.sweeps, jackBlocks)
	fmt.Println("| T | u data | u RBM | \\|m\\| data | \\|m\\| RBM | C data | C RBM | χ data | χ RBM |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	var dataObs, rbmObs []observables
	for _, T := range temps {
		x := data.Ising(o.L, T, o.rows, o.seed).X
		m, _ := trainRBM(o, x, nh)
		c := mcmc.NewChains(m, o.chains, o.seed^0x15)
		c.Sweep(m, 1, o.sweeps)
		d, r := measure(x, o.L, T), measure(c.V, o.L, T)
		dataObs, rbmObs = append(dataObs, d), append(rbmObs, r)
		fmt.Printf("| %g |", T)
		for q := range 4 {
			fmt.Printf(" %.3f ± %.3f | %.3f ± %.3f |", d.val[q], d.se[q], r.val[q], r.se[q])
		}
		fmt.Println()
	}
	if plotFile != "" {
		if err := plotThermo(plotFile, temps, dataObs, rbmObs, nh); err != nil {
			fail(err)
		}
	}
}

type errPoints struct {
	plotter.XYs
	plotter.YErrors
}

func points(temps []float64, obs []observables, q int, dx float64) errPoints {
	var p errPoints
	for i, T := range temps {
		p.XYs = append(p.XYs, plotter.XY{X: T + dx, Y: obs[i].val[q]})
		p.YErrors = append(p.YErrors, struct{ Low, High float64 }{obs[i].se[q], obs[i].se[q]})
	}
	return p
}

func plotThermo(file string, temps []float64, d, r []observables, nh int) error {
	titles := []string{"energy per site u", "|m|", "specific heat C", "susceptibility χ"}
	grid := [][]*plot.Plot{make([]*plot.Plot, 2), make([]*plot.Plot, 2)}
	for q, title := range titles {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "T"
		for k, set := range []struct {
			name string
			obs  []observables
			col  color.Color
			dx   float64
		}{{"data (Wolff)", d, color.RGBA{0, 90, 200, 255}, -0.01}, {fmt.Sprintf("RBM, %d hidden", nh), r, color.RGBA{220, 60, 0, 255}, 0.01}} {
			pts := points(temps, set.obs, q, set.dx)
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return err
			}
			sc.Color = set.col
			if k == 1 {
				sc.Shape = draw.BoxGlyph{}
			}
			eb, err := plotter.NewYErrorBars(pts)
			if err != nil {
				return err
			}
			eb.Color = set.col
			p.Add(sc, eb)
			if q == 0 {
				p.Legend.Add(set.name, sc)
			}
		}
		vl, err := plotter.NewLine(plotter.XYs{{X: data.IsingCriticalTemperature, Y: p.Y.Min}, {X: data.IsingCriticalTemperature, Y: p.Y.Max}}) // T_c
		if err != nil {
			return err
		}
		vl.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		vl.Color = color.Gray{150}
		p.Add(vl)
		grid[q/2][q%2] = p
	}
	grid[0][0].Legend.Top = false // bottom right: u rises with T
	w, h := 24*vg.Centimeter, 18*vg.Centimeter
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Millimeter * 6, PadY: vg.Millimeter * 6,
		PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 3, PadRight: vg.Millimeter * 3}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasSuffix(file, ".png") {
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(120), vgimg.UseBackgroundColor(color.White))
		drawGrid(draw.New(c), grid, tiles)
		_, err = vgimg.PngCanvas{Canvas: c}.WriteTo(f)
		return err
	}
	c := vgsvg.New(w, h)
	drawGrid(draw.New(c), grid, tiles)
	_, err = c.WriteTo(f)
	return err
}

func drawGrid(dc draw.Canvas, grid [][]*plot.Plot, tiles draw.Tiles) {
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			p.Draw(canvases[r][c])
		}
	}
}

// readTable reads the temperatures and observables back from a table runThermo printed.
func readTable(file string) (temps []float64, d, r []observables) {
	raw, err := os.ReadFile(file)
	if err != nil {
		fail(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		T, err := strconv.ParseFloat(strings.TrimSpace(cells[0]), 64)
		if len(cells) != 9 || err != nil {
			continue // the header, the rule, comments
		}
		var do, ro observables
		for q := range 4 {
			for k, o := range []*observables{&do, &ro} {
				if _, err := fmt.Sscanf(strings.TrimSpace(cells[1+2*q+k]), "%g ± %g", &o.val[q], &o.se[q]); err != nil {
					fail(fmt.Errorf("%s: %q: %w", file, cells[1+2*q+k], err))
				}
			}
		}
		temps, d, r = append(temps, T), append(d, do), append(r, ro)
	}
	return temps, d, r
}
