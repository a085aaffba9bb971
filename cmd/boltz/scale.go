package main

import (
	"fmt"
	"math"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// pixelScale standardises data column by column: v = (x − mean)/std.
type pixelScale struct {
	mean, std []float64
}

// minPixelStdShare is the least deviation a column is divided by, as a share of the root
// mean square of all columns' deviations: a column that is constant in the training set (an
// MNIST border pixel) becomes 0 instead of 0/0, and a value it takes only in held-out data
// lands at most 1/minPixelStdShare = 10 typical deviations per typical step away, instead of
// thousands (MNIST: pooled deviation 0.31, so the floor is 0.031 grey levels).
const minPixelStdShare = 0.1

// newPixelScale returns the standardisation of the columns of x.
func newPixelScale(x *matrix.Dense) *pixelScale {
	p := &pixelScale{mean: make([]float64, x.Cols), std: make([]float64, x.Cols)}
	rbm.ColMeans(p.mean, x)
	rbm.ColStds(p.std, p.mean, x)
	var ms float64
	for _, s := range p.std {
		ms += s * s
	}
	floor := minPixelStdShare * math.Sqrt(ms/float64(len(p.std)))
	if floor == 0 {
		floor = 1 // every column constant: leave the values as they are, centred
	}
	for i, s := range p.std {
		p.std[i] = math.Max(s, floor)
	}
	return p
}

// pixelFromMeta returns the standardisation a model file records, nil when it has none.
func pixelFromMeta(meta *rbm.Meta) *pixelScale {
	if meta == nil || meta.PixelMean == nil {
		return nil
	}
	return &pixelScale{mean: meta.PixelMean, std: meta.PixelStd}
}

// apply standardises x in place.
func (p *pixelScale) apply(x *matrix.Dense) {
	for r := 0; r < x.Rows; r++ {
		for i, v := range x.Row(r) {
			x.Row(r)[i] = (v - p.mean[i]) / p.std[i]
		}
	}
}

// pixels returns a copy of x mapped back to pixel space, x·std + mean; x itself when p is nil.
func (p *pixelScale) pixels(x *matrix.Dense) *matrix.Dense {
	if p == nil {
		return x
	}
	y := x.Clone()
	for r := 0; r < y.Rows; r++ {
		for i, v := range y.Row(r) {
			y.Row(r)[i] = p.mean[i] + p.std[i]*v
		}
	}
	return y
}

// newUnitScale returns the map of the range of x's values onto [0, 1]: one (min, max − min)
// for every column, recorded in the same form as a standardisation.
func newUnitScale(x *matrix.Dense) *pixelScale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range x.Data {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	width := hi - lo
	if !(width > 0) {
		width = 1 // constant data: shifted to 0
	}
	p := &pixelScale{mean: make([]float64, x.Cols), std: make([]float64, x.Cols)}
	for i := range p.mean {
		p.mean[i], p.std[i] = lo, width
	}
	return p
}

// standardise applies the data flags' rescaling to x: the recorded one when there is one,
// else under -scale standard or unit one fitted to x (the training set, loaded first) and
// kept for the data sets loaded after it.
func (d *dataFlags) standardise(x *matrix.Dense) error {
	if d.pixel == nil {
		switch d.scale {
		case "standard":
			d.pixel = newPixelScale(x)
		case "unit":
			d.pixel = newUnitScale(x)
		}
	}
	if d.pixel == nil {
		return nil
	}
	if len(d.pixel.mean) != x.Cols || len(d.pixel.std) != x.Cols {
		return fmt.Errorf("rows have %d values, the model's scaling (-scale at training) has %d columns, one per visible unit", x.Cols, len(d.pixel.mean))
	}
	d.pixel.apply(x)
	return nil
}

// trainLayer returns a layer of the training run's visible unit type (d.visible, Bernoulli
// when empty), to check the training rows against.
func (d *dataFlags) trainLayer() (rbm.Layer, error) {
	l, err := unitsPrototype(d.visible)
	if err != nil {
		return nil, flagError("visible-units", "%v", err)
	}
	return l, nil
}

// checkScale refuses -scale standard for discrete visible units, whose data must keep their
// values.
func (d *dataFlags) checkScale() error {
	if d.scale != "standard" && d.scale != "unit" {
		return nil
	}
	l, err := d.trainLayer()
	if err != nil {
		return err
	}
	if l.Values() != nil {
		return flagError("scale", "%s is for continuous visible units (-visible-units gaussian); %s units take their data as they are", d.scale, l.Name())
	}
	return nil
}

// dataset returns ds with its rows in pixel space (pixels), for the report, which takes
// data as they were loaded; ds itself when p is nil.
func (p *pixelScale) dataset(ds *data.Dataset) *data.Dataset {
	if p == nil {
		return ds
	}
	c := *ds
	c.X = p.pixels(ds.X)
	return &c
}
