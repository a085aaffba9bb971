// Package boltz is the root of boltz, a library and command-line tool for restricted
// Boltzmann machines (RBMs): it trains them with every standard negative-phase estimator
// (exact enumeration, CD-k, PCD-k, fast PCD, parallel tempering), measures them honestly
// (exact log Z, log-likelihood, gradient and KL where the sums are tractable; annealed
// importance sampling and its reverse, with error bars and a verdict, where they are not),
// and makes the textbook derivation of the gradient checkable as numbers. This package
// holds no code; the work is done by the packages below, in reading order:
//
//	rbm     the model: parameters, unit types, energy, free energy, conditionals, files
//	data    MNIST (fetched and checksummed), bars-and-stripes, CSV/NPY/IDX readers
//	exact   enumeration: log Z, log-likelihood, exact moments and gradient, KL, entropy
//	mcmc    Gibbs chains, parallel tempering, mixing diagnostics
//	ais     annealed importance sampling, forward and reverse, with a trust verdict
//	train   the trainer: positive phase − negative phase, optimisers, monitors, checkpoints
//	report  pictures, learning curves and the HTML run report
//	npz     numpy's .npy/.npz format
//
// The gradient of the mean log-likelihood is the data expectation of −∂F/∂θ minus its
// model expectation (docs/gradient.md). A program that trains an RBM on the 14
// bars-and-stripes patterns of 3×3 with the exact negative phase and measures it exactly:
//
//	x := data.BarsAndStripes(3).X
//	cfg := train.Defaults()
//	cfg.Hidden, cfg.Method, cfg.Epochs, cfg.Batch, cfg.LR = 8, "exact", 2000, x.Rows, 0.1
//	t, err := train.New(cfg, x)
//	if err != nil {
//		log.Fatal(err)
//	}
//	if err := t.Run(context.Background(), x, train.Options{}); err != nil {
//		log.Fatal(err)
//	}
//	logZ, err := exact.LogZ(t.Model, nil)
//	if err != nil {
//		log.Fatal(err)
//	}
//	fmt.Printf("mean log-likelihood %.1f nats\n", exact.MeanLogLikelihood(t.Model, x, logZ)) // -2.7 (best: −log 14 = −2.64)
//
// The command-line tool is cmd/boltz: `go run ./cmd/boltz train -o runs/mnist` trains the
// default 784×500 model on MNIST and ends with its test log-likelihood; `boltz help` lists
// the commands. README.md and docs/ have the results and how to reproduce them.
package boltz
