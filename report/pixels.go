package report

import (
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/rbm"
)

// toPixels returns the rows of x (visible vectors) in pixel space for a model trained on
// rescaled data (rbm.Meta.PixelMean and PixelStd): x·std + mean, as a copy. Without a
// recorded rescaling it returns x.
func toPixels(meta *rbm.Meta, x *matrix.Dense) *matrix.Dense { return rescale(meta, x, false) }

// fromPixels is the inverse of toPixels: the rows of raw data x rescaled as the model's
// training data were, as a copy; x itself without a recorded rescaling.
func fromPixels(meta *rbm.Meta, x *matrix.Dense) *matrix.Dense { return rescale(meta, x, true) }

func rescale(meta *rbm.Meta, x *matrix.Dense, inverse bool) *matrix.Dense {
	if meta == nil || meta.PixelMean == nil || len(meta.PixelMean) != x.Cols {
		return x
	}
	y := x.Clone()
	for r := 0; r < y.Rows; r++ {
		row := y.Row(r)
		for i, v := range row {
			if inverse {
				row[i] = (v - meta.PixelMean[i]) / meta.PixelStd[i]
			} else {
				row[i] = meta.PixelMean[i] + meta.PixelStd[i]*v
			}
		}
	}
	return y
}
