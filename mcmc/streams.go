package mcmc

import "math/rand/v2"

// Streams returns the random source of every chain: Streams()[i] is chain i's stream, the
// one its rows are sampled from and that MarshalState records. It is for samplers outside
// this package that advance the same chains with kernels of their own (train's float32
// minibatch path): drawing from Streams()[i] advances chain i exactly as sampling here
// would, so such a sampler and a checkpoint of the chains stay in step. The sources are
// the chains' own, not copies, and stay valid after UnmarshalState.
func (c *Chains) Streams() []*rand.PCG { return c.srcs }
