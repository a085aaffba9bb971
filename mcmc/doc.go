// Package mcmc runs Markov chains on the joint state (v, h) of an RBM: block Gibbs chains
// (the negative phase of CD-k, PCD-k and fast PCD, and the sampler behind the CLI),
// parallel tempering over a ladder of inverse temperatures, and the diagnostics that say how
// well a chain mixes (integrated autocorrelation time, effective sample size, Gelman–Rubin R̂).
//
// # Tempering
//
// The model at inverse temperature β is the tempered joint
//
//	p_β(v,h) = exp(−β·E(v,h)) / Z(β),
//
// whose conditionals, for units with no base measure (φ = 0 in rbm.Layer's notation:
// Bernoulli, spin and Potts units), are the untempered conditionals with every total input
// multiplied by β: p_β(h|v) has inputs β·(c + Wᵀv), p_β(v|h) has inputs β·(b + Wh). That is
// how this package tempers, so β = 0 samples every unit uniformly over its values. Units
// with a base measure (Gaussian, ReLU) would need β·φ as well, which a Layer cannot express;
// sampling them at β ≠ 1 panics (Chains) or is refused with an error (NewTempering).
//
// # Reproducibility
//
// Every chain draws from its own PCG stream, derived from (seed, path..., i) for chain i, and the
// swap proposals of parallel tempering from a stream of their own. The matrix products come
// from the matrix-product kernel, whose results do not depend on the number of goroutines. So the same seed
// gives bit-identical chains whatever GOMAXPROCS is and however rows are split between
// goroutines (on CPUs that select the same Gemm micro-kernel). MarshalState saves the streams,
// so a checkpoint that also saves V and H resumes bit for bit.
//
// # Precision
//
// Chains.SetPrecision(Float32) and Tempering.SetPrecision(Float32) make Sweep and Step run
// on float32 copies of the parameters with float32 products and draws (Bernoulli units
// only), several times faster than float64 on MNIST-sized models. The states V and H stay
// float64 between calls, each chain draws the same uniforms from its own stream in either
// precision, and the results still do not depend on GOMAXPROCS. The zero value, Float64, is
// unchanged; the half-step methods always run in float64.
//
// # Concurrency
//
// A Chains or Tempering value is not safe for concurrent use; its methods use up to
// GOMAXPROCS goroutines internally. Distinct values may be used concurrently. The model is
// only read. The diagnostics are pure functions, safe for concurrent use.
package mcmc
