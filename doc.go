// Package boltz is the root of boltz, a library and command-line tool for restricted
// Boltzmann machines (RBMs): it trains them with every standard negative-phase estimator
// (exact enumeration, CD-k, PCD-k, fast PCD, parallel tempering), measures them honestly
// (exact log Z, log-likelihood, gradient and KL where the sums are tractable; annealed
// importance sampling and its reverse, with error bars and a verdict, where they are not),
// and makes the textbook derivation of the gradient checkable as numbers. This package
// holds no code; the work is done by the packages below, in reading order:
//
//	matrix  the row-major matrix every exported API takes and returns; from [][]float64 and gonum
//	rbm     the model: layers that own their parameters, W, energy, free energy, conditionals, files
//	data    MNIST (fetched and checksummed), bars-and-stripes, Ising, Potts chains, CSV/NPY/IDX readers
//	exact   enumeration: log Z, log-likelihood, exact moments and gradient, gradient check, KL
//	mcmc    Gibbs chains, parallel tempering, mixing diagnostics, Sample
//	ais     annealed importance sampling, forward and reverse, with a trust verdict; LogLikelihood
//	train   the trainer: data statistics − model statistics, negative phases, optimisers, checkpoints
//	report  pictures, learning curves and the HTML run report
//	npz     numpy's .npy/.npz format
//
// The gradient of the mean log-likelihood is the data expectation of −∂F/∂θ minus its
// model expectation (docs/gradient.md): rbm's Statistics of the data minus those of model
// samples. A program that trains on its own rows, turns them into features, samples from the
// model and measures it by AIS:
//
//	x, err := matrix.FromRows(rows) // rows [][]float64, one example per row
//	if err != nil {
//		log.Fatal(err)
//	}
//	cfg := train.Defaults()
//	cfg.Hidden, cfg.Epochs, cfg.Batch, cfg.LR = 6, 300, 20, 0.1 // Batch: at most len(rows)
//	cfg.Negative = train.PCD(1, 0)                               // or CD(k), FastPCD(…), PT(…), Exact(), or your own
//	m, history, err := train.Fit(context.Background(), x, cfg, train.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	features := m.Transform(x)                   // E[h|v] for every row
//	samples := mcmc.Sample(m, 100, 1000, 1, nil) // 100 chains of 1000 Gibbs sweeps
//	est, err := ais.LogLikelihood(context.Background(), m, x, nil)
//	if err != nil {
//		log.Fatal(err)
//	}
//	fmt.Printf("%d epochs, %d features, %d samples: %.2f ± %.2f nats (trustworthy %v)\n", len(history),
//		features.Cols, samples.Rows, est.Mean, est.Stderr, est.Bracket.Trustworthy)
//	if err := m.Save("model.npz", nil); err != nil { // numpy opens it; rbm.Load reads it back
//		log.Fatal(err)
//	}
//
// The package's Example runs this program. docs/architecture.md shows how the packages fit
// together; examples/outside is a separate module using only the exported API.
//
// The command-line tool is cmd/boltz: `go run ./cmd/boltz train -o runs/mnist` trains the
// default 784×500 model on MNIST and ends with its test log-likelihood; `boltz help` lists
// the commands. README.md and docs/ have the results and how to reproduce them.
package boltz
