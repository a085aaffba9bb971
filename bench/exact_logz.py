#!/usr/bin/env python3
"""numpy side of bench/exact_logz.sh: exact log Z of an RBM by enumerating its hidden layer.

    log Z = log sum_h exp(c.h + sum_i softplus(b_i + (W h)_i))

The 2^nh hidden states are taken in chunks of 256; each chunk is X = H W^T + b (one BLAS
product), softplus(x) = max(x, 0) + log1p(exp(-|x|)), and a log-sum-exp over the chunk.
Chunks are shared by 2 worker threads (concurrent.futures) and merged in chunk order. Run it
with OPENBLAS_NUM_THREADS=1 so that the threads, not BLAS, provide the parallelism.

Each thread evaluates softplus in place in buffers of its own (out=...): written with
temporaries, every chunk allocates five fresh 1.6 MB arrays, and on a virtual machine where
page faults are dear that alone made numpy ten times slower. The fair comparison is with
numpy at its best.

usage: exact_logz.py MODEL.npz BOLTZ_JSON
       exact_logz.py --json MODEL.npz [RUNS]
  MODEL.npz   the model boltz wrote (arrays W, b, c)
  BOLTZ_JSON  boltz's result, {"log_z": ..., "seconds": ..., "cpu_seconds": ...}

Prints both wall times (fastest run) and CPU times (user + system per run, less disturbed by
other load on the machine), both values of log Z, their relative difference and the time
ratios, and exits 1 if the values differ by more than 1e-10 relative. With --json (used by
bench/run.py, which compares the values itself) it times RUNS runs (default 3) of numpy
alone and prints {"log_z", "seconds" (fastest run), "cpu_seconds" (per run), "runs",
"version"}.
"""
import concurrent.futures
import json
import sys
import threading
import time

import numpy as np

CHUNK = 256
WORKERS = 2
RUNS = 3


local = threading.local()


def buffers(nv):
    if not hasattr(local, "x"):
        local.x = np.empty((CHUNK, nv))
        local.t = np.empty((CHUNK, nv))
    return local.x, local.t


def softplus_inplace(x, t):
    """x <- softplus(x) = max(x, 0) + log1p(exp(-|x|)), using t as scratch."""
    np.abs(x, out=t)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.maximum(x, 0, out=x)
    x += t


def chunk_logsumexp(WT, b, c, start, nh):
    idx = np.arange(start, start + CHUNK, dtype=np.int64)
    H = ((idx[:, None] >> np.arange(nh)) & 1).astype(np.float64)  # bit j of the index is h_j
    X, T = buffers(WT.shape[1])
    np.matmul(H, WT, out=X)
    X += b
    softplus_inplace(X, T)
    neg_f = H @ c + X.sum(axis=1)
    m = neg_f.max()
    return m, np.exp(neg_f - m).sum()


def log_z(W, b, c):
    nh = W.shape[1]
    WT = np.ascontiguousarray(W.T)
    starts = range(0, 1 << nh, CHUNK)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
        parts = list(ex.map(lambda s: chunk_logsumexp(WT, b, c, s, nh), starts))
    m = max(p[0] for p in parts)
    return m + np.log(sum(s * np.exp(pm - m) for pm, s in parts))


def timed(model, runs):
    """Returns log Z of the model file, the fastest wall time and the CPU time per run."""
    with np.load(model) as f:
        W, b, c = f["W"], f["b"], f["c"]
    assert (1 << W.shape[1]) % CHUNK == 0, "nh must be at least 8"
    best = float("inf")
    cpu0 = time.process_time()
    for _ in range(runs):
        t0 = time.perf_counter()
        lz = log_z(W, b, c)
        best = min(best, time.perf_counter() - t0)
    return W, lz, best, (time.process_time() - cpu0) / runs


def main():
    if sys.argv[1] == "--json":
        runs = int(sys.argv[3]) if len(sys.argv) > 3 else RUNS
        _, lz, best, cpu = timed(sys.argv[2], runs)
        json.dump({"log_z": lz, "seconds": best, "cpu_seconds": cpu, "runs": runs,
                   "version": np.__version__}, sys.stdout)
        print()
        return
    model, boltz_json = sys.argv[1], sys.argv[2]
    W, lz, best, cpu = timed(model, RUNS)
    with open(boltz_json) as f:
        boltz = json.load(f)
    rel = abs(boltz["log_z"] - lz) / abs(lz)
    print(f"model:        {W.shape[0]} visible x {W.shape[1]} hidden, 2^{W.shape[1]} hidden states")
    print(f"numpy {np.__version__}:  log Z = {lz:.17g}  wall {best:.3f} s  cpu {cpu:.3f} s "
          f"(fastest of {RUNS}, {WORKERS} threads, chunks of {CHUNK})")
    print(f"boltz:        log Z = {boltz['log_z']:.17g}  wall {boltz['seconds']:.3f} s  "
          f"cpu {boltz['cpu_seconds']:.3f} s (fastest of {boltz['runs']}, GOMAXPROCS={boltz['gomaxprocs']})")
    print(f"relative difference of log Z: {rel:.2g}")
    print(f"numpy / boltz: wall time {best / boltz['seconds']:.2f}, cpu time {cpu / boltz['cpu_seconds']:.2f}")
    if rel > 1e-10:
        print("FAIL: log Z differs by more than 1e-10 relative", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
