#!/usr/bin/env python3
"""numpy side of bench/exact_logz.sh: exact log Z of an RBM by enumerating its hidden layer.

    log Z = log sum_h exp(c.h + sum_i softplus(b_i + (W h)_i))

The 2^nh hidden states are taken in chunks of 256; each chunk is X = H W^T + b (one BLAS
product), softplus(x) = max(x, 0) + log1p(exp(-|x|)), and a log-sum-exp over the chunk.
Chunks are shared by 2 worker threads (concurrent.futures) and merged in chunk order. Run it
with OPENBLAS_NUM_THREADS=1 so that the threads, not BLAS, provide the parallelism.

usage: exact_logz.py MODEL.npz BOLTZ_JSON
  MODEL.npz   the model boltz wrote (arrays W, b, c)
  BOLTZ_JSON  boltz's result, {"log_z": ..., "seconds": ...}

Prints both times, both values of log Z, their relative difference and the time ratio, and
exits 1 if the values differ by more than 1e-10 relative.
"""
import concurrent.futures
import json
import sys
import time

import numpy as np

CHUNK = 256
WORKERS = 2
RUNS = 3


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def chunk_logsumexp(W, b, c, start, nh):
    idx = np.arange(start, start + CHUNK, dtype=np.int64)
    H = ((idx[:, None] >> np.arange(nh)) & 1).astype(np.float64)  # bit j of the index is h_j
    X = H @ W.T + b
    neg_f = H @ c + softplus(X).sum(axis=1)
    m = neg_f.max()
    return m, np.exp(neg_f - m).sum()


def log_z(W, b, c):
    nh = W.shape[1]
    starts = range(0, 1 << nh, CHUNK)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
        parts = list(ex.map(lambda s: chunk_logsumexp(W, b, c, s, nh), starts))
    m = max(p[0] for p in parts)
    return m + np.log(sum(s * np.exp(pm - m) for pm, s in parts))


def main():
    model, boltz_json = sys.argv[1], sys.argv[2]
    with np.load(model) as f:
        W, b, c = f["W"], f["b"], f["c"]
    assert (1 << W.shape[1]) % CHUNK == 0, "nh must be at least 8"
    best = float("inf")
    for _ in range(RUNS):
        t0 = time.perf_counter()
        lz = log_z(W, b, c)
        best = min(best, time.perf_counter() - t0)
    with open(boltz_json) as f:
        boltz = json.load(f)
    rel = abs(boltz["log_z"] - lz) / abs(lz)
    print(f"model:        {W.shape[0]} visible x {W.shape[1]} hidden, 2^{W.shape[1]} hidden states")
    print(f"numpy {np.__version__}:  log Z = {lz:.17g}  time {best:.3f} s "
          f"(fastest of {RUNS}, {WORKERS} threads, chunks of {CHUNK})")
    print(f"boltz:        log Z = {boltz['log_z']:.17g}  time {boltz['seconds']:.3f} s "
          f"(fastest of {boltz['runs']}, GOMAXPROCS={boltz['gomaxprocs']})")
    print(f"relative difference of log Z: {rel:.2g}")
    print(f"numpy time / boltz time: {best / boltz['seconds']:.2f}")
    if rel > 1e-10:
        print("FAIL: log Z differs by more than 1e-10 relative", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
