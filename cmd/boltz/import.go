package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/boltzgo/boltz/rbm"
)

func init() {
	register(&command{
		Name:  "import",
		Usage: "boltz import [-shape HxW] [-data SPEC] IN.npz -o OUT.npz",
		Short: "turn a numpy or scikit-learn RBM (.npz without meta.json) into a boltz model file",
		Long: `Import reads a Bernoulli RBM saved by numpy without boltz's meta.json and writes it as a boltz
model file (the same arrays W, b, c, float64, plus meta.json). Two layouts are read:

  numpy          numpy.savez(path, W=W, b=b, c=c) with W of shape nv×nh
  scikit-learn   numpy.savez(path, components_=r.components_,
                   intercept_visible_=r.intercept_visible_, intercept_hidden_=r.intercept_hidden_)
                 for a fitted sklearn.neural_network.BernoulliRBM r (components_ is nh×nv)

float64 and float32 arrays are accepted. Every other command reads these files directly too
(saying so once on stderr); import adds what they lack: the image shape for pictures (-shape)
and the data the model was trained on (-data), and keeps a file that loads without the note.
docs/interop.md shows the round trips with numpy, scikit-learn and PyTorch.`,
		Flags: importFlags,
	})
}

func importFlags(fs *flag.FlagSet) func(*env, []string) error {
	out := fs.String("o", "", "output model `FILE` (.npz)")
	shape := fs.String("shape", "", "image shape HxW of a visible vector, recorded for pictures")
	spec := fs.String("data", "", "the data `SPEC` the model was trained on, recorded in meta.json")
	return func(e *env, args []string) error {
		switch {
		case len(args) != 1:
			return usagef("wants one input file, got %d arguments", len(args))
		case *out == "":
			return flagError("o", "an output file is required")
		case !strings.HasSuffix(*out, ".npz"):
			return flagError("o", "must end in .npz, got %q", *out)
		}
		m, meta, err := rbm.Load(args[0])
		if err != nil {
			return err
		}
		if meta.Layout == "" {
			fmt.Fprintf(e.stderr, "boltz import: %s is already a boltz model file; writing a copy\n", args[0])
		}
		meta.Layout = ""
		if *shape != "" {
			img, err := parseReportShape(*shape)
			if err != nil {
				return flagError("shape", "%v", err)
			}
			if img[0]*img[1] != m.NV() {
				return flagError("shape", "%d×%d does not hold the model's %d visible units", img[0], img[1], m.NV())
			}
			meta.ImageShape = img
		}
		if *spec != "" {
			meta.Data = *spec
		}
		if err := m.Save(*out, meta); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d visible × %d hidden Bernoulli RBM\n", *out, m.NV(), m.NH())
		return nil
	}
}

// loadModel reads a model file for a command's -model flag, saying once on stderr when it
// is a plain numpy or scikit-learn archive read as a Bernoulli RBM.
func loadModel(e *env, path string) (*rbm.RBM, *rbm.Meta, error) {
	m, meta, err := rbm.Load(path)
	if err != nil {
		return nil, nil, fmt.Errorf("-model: %w", err)
	}
	if meta.Layout != "" {
		fmt.Fprintf(e.stderr, "boltz %s: %s has no meta.json: read as a Bernoulli RBM in the %s layout\n", e.cmd.Name, path, meta.Layout)
	}
	return m, meta, nil
}
