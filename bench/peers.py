#!/usr/bin/python3
"""Peers of bench/boltzbench, run by bench/run.py: each workload prints one JSON object.

    peers.py sklearn  --dtype float64|float32   scikit-learn BernoulliRBM, one epoch (n_iter=1)
    peers.py torch-cd1  --dtype float32|float64 plain PyTorch CD-1 loop, one epoch
    peers.py torch-pcd1 --dtype float32|float64 plain PyTorch PCD-1 loop, one epoch
    peers.py torch-gibbs --dtype ...            block Gibbs sweeps of 100 chains (PyTorch)
    peers.py numpy-gibbs --dtype ...            block Gibbs sweeps of 100 chains (numpy)
    peers.py numpy-gemm --dtype ...             the matrix products of one CD-1 epoch, alone
                                                (numpy's BLAS): the GEMM bound, measured
    peers.py numpy-ais --model M.npz --dtype ... forward AIS, --runs × --betas, on boltz's model
                                                (bench/boltzbench ais -save writes it)

The data are boltz's: MNIST training images from boltz's cache ($BOLTZ_DATA or
~/.cache/boltz/mnist), scaled to [0, 1] and thresholded as data.Threshold does (x >= 0.5,
i.e. byte >= 128). The settings are boltz's training defaults where they apply: 500 hidden
units, batch 100, learning rate 0.01, W ~ N(0, 0.01²), visible biases at the data's
log-odds, hidden biases 0, SGD with momentum 0.5 (boltz's first five epochs) and L2 weight
decay 1e-4 on W, negative statistics from E[h|v] of the sampled visible states.

The PyTorch loops are written as a PyTorch user who wants speed would write them: products
into preallocated tensors with torch.addmm(bias, x, W, out=...), the sigmoid in place
(sigmoid_), Bernoulli draws as torch.rand(..., out=u) < p (torch.bernoulli costs several
times more in Debian's torch 1.13), Wᵀ kept as a contiguous copy only where it pays, and
no autograd (torch.no_grad). A peer measured at its best is the only honest anchor.

Threads are the caller's business (bench/run.py sets them per peer): the PyTorch loops call
torch.set_num_threads(--threads, default 1); scikit-learn and numpy use numpy's BLAS, whose
threads OPENBLAS_NUM_THREADS sets.

scikit-learn's BernoulliRBM has one training method, persistent contrastive divergence
(PCD-1, chains of one minibatch's size), so it is a peer of both boltz's CD-1 and PCD-1
epochs: per update it does the same matrix products as PCD-1. Its learning rate is divided
by the batch size internally, i.e. it is the rate of the mean gradient, as boltz's is.

"seconds" is the wall time of the timed region (one epoch, or the sweeps), "cpu_seconds"
the process CPU time (user + system, all threads) in it.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np

HIDDEN, BATCH, LR, MOMENTUM, L2, INIT_STD = 500, 100, 0.01, 0.5, 1e-4, 0.01


def mnist(rows):
    d = os.environ.get("BOLTZ_DATA") or os.path.expanduser("~/.cache/boltz/mnist")
    path = os.path.join(d, "train-images-idx3-ubyte.gz")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    n, h, w = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, h * w)
    if rows:
        x = x[:rows]
    # data.Threshold(x/255, 0.5): v >= 0.5 <=> byte >= 127.5 <=> byte >= 128
    return (x >= 128).astype(np.float64)


def log_odds(x):
    """Visible biases as boltz.train.New sets them: smoothed log-odds of the column means."""
    n = x.shape[0]
    q = (x.mean(axis=0) * n + 0.5) / (n + 1)
    return np.log(q / (1 - q))


def timed(f):
    c0, t0 = time.process_time(), time.perf_counter()
    out = f()
    return time.perf_counter() - t0, time.process_time() - c0, out


def run_sklearn(a):
    from sklearn import __version__ as skv
    from sklearn.neural_network import BernoulliRBM
    x = mnist(a.rows).astype(a.dtype)
    rbm = BernoulliRBM(n_components=HIDDEN, learning_rate=LR, batch_size=BATCH, n_iter=1,
                       random_state=a.seed, verbose=0)
    wall, cpu, _ = timed(lambda: rbm.fit(x))
    return {"seconds": wall, "cpu_seconds": cpu, "rows": x.shape[0],
            "dtype": str(rbm.components_.dtype), "version": skv}


def torch_setup(a):
    import torch
    torch.set_num_threads(a.threads)
    return torch, getattr(torch, a.dtype)


def run_torch_epoch(a, persistent):
    torch, dt = torch_setup(a)
    x64 = mnist(a.rows)
    g = torch.Generator().manual_seed(a.seed)
    X = torch.from_numpy(x64).to(dt)
    nv = X.shape[1]
    W = torch.randn(nv, HIDDEN, generator=g, dtype=dt) * INIT_STD
    b = torch.from_numpy(log_odds(x64)).to(dt)
    c = torch.zeros(HIDDEN, dtype=dt)
    dW, db, dc = torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)
    chains = (torch.rand(BATCH, nv, generator=g, dtype=dt) < 0.5).to(dt)
    v0 = torch.empty(BATCH, nv, dtype=dt)
    ph0, ph1, ph = (torch.empty(BATCH, HIDDEN, dtype=dt) for _ in range(3))
    h, uh = torch.empty(BATCH, HIDDEN, dtype=dt), torch.empty(BATCH, HIDDEN, dtype=dt)
    pv, uv, v1 = (torch.empty(BATCH, nv, dtype=dt) for _ in range(3))
    gW = torch.empty(nv, HIDDEN, dtype=dt)

    def bernoulli(p, u, out):
        torch.rand(p.shape, generator=g, dtype=dt, out=u)
        torch.lt(u, p, out=u)  # u < p as 0/1 in the float dtype, in place
        out.copy_(u)

    def epoch():
        nonlocal chains
        perm = torch.randperm(X.shape[0], generator=g)
        with torch.no_grad():
            for i in range(X.shape[0] // BATCH):
                torch.index_select(X, 0, perm[i * BATCH:(i + 1) * BATCH], out=v0)
                torch.addmm(c, v0, W, out=ph0).sigmoid_()
                if persistent:
                    torch.addmm(c, chains, W, out=ph).sigmoid_()
                    bernoulli(ph, uh, h)
                else:
                    bernoulli(ph0, uh, h)
                torch.addmm(b, h, W.T, out=pv).sigmoid_()
                bernoulli(pv, uv, v1)
                torch.addmm(c, v1, W, out=ph1).sigmoid_()
                if persistent:
                    chains.copy_(v1)
                # gW = (v0ᵀ·ph0 − v1ᵀ·ph1)/BATCH − L2·W, then the momentum step
                torch.mm(v0.T, ph0, out=gW)
                gW.addmm_(v1.T, ph1, alpha=-1)
                dW.mul_(MOMENTUM).add_(gW, alpha=LR / BATCH).add_(W, alpha=-LR * L2)
                db.mul_(MOMENTUM).add_(v0.mean(0) - v1.mean(0), alpha=LR)
                dc.mul_(MOMENTUM).add_(ph0.mean(0) - ph1.mean(0), alpha=LR)
                W.add_(dW)
                b.add_(db)
                c.add_(dc)
            return float(((v0 - torch.sigmoid(ph0 @ W.T + b)) ** 2).sum(1).mean())

    wall, cpu, recon = timed(epoch)
    return {"seconds": wall, "cpu_seconds": cpu, "rows": X.shape[0], "dtype": a.dtype,
            "threads": torch.get_num_threads(), "version": torch.__version__,
            "recon_error_last_batch": recon}


def run_torch_gibbs(a):
    torch, dt = torch_setup(a)
    g = torch.Generator().manual_seed(a.seed)
    W = torch.randn(784, HIDDEN, generator=g, dtype=dt) * INIT_STD
    b, c = torch.zeros(784, dtype=dt), torch.zeros(HIDDEN, dtype=dt)
    v = (torch.rand(a.chains, 784, generator=g, dtype=dt) < 0.5).to(dt)
    h, uh = torch.empty(a.chains, HIDDEN, dtype=dt), torch.empty(a.chains, HIDDEN, dtype=dt)
    uv = torch.empty(a.chains, 784, dtype=dt)

    def sweeps(n):
        with torch.no_grad():
            for _ in range(n):
                torch.addmm(c, v, W, out=h).sigmoid_()
                torch.rand(h.shape, generator=g, dtype=dt, out=uh)
                torch.lt(uh, h, out=h)
                torch.addmm(b, h, W.T, out=v).sigmoid_()
                torch.rand(v.shape, generator=g, dtype=dt, out=uv)
                torch.lt(uv, v, out=v)

    sweeps(10)
    wall, cpu, _ = timed(lambda: sweeps(a.sweeps))
    return {"seconds": wall, "cpu_seconds": cpu, "sweeps": a.sweeps, "chains": a.chains,
            "sweeps_per_second": a.sweeps / wall, "dtype": a.dtype,
            "threads": torch.get_num_threads(), "version": torch.__version__}


def run_numpy_gibbs(a):
    dt = np.dtype(a.dtype)
    rng = np.random.default_rng(a.seed)
    W = (rng.standard_normal((784, HIDDEN)) * INIT_STD).astype(dt)
    WT = np.ascontiguousarray(W.T)
    b, c = np.zeros(784, dt), np.zeros(HIDDEN, dt)
    v = (rng.random((a.chains, 784)) < 0.5).astype(dt)
    h = np.empty((a.chains, HIDDEN), dt)
    xh, uh = np.empty_like(h), np.empty_like(h)
    xv, uv = np.empty_like(v), np.empty_like(v)

    def sample(x, u, out):
        # out = 1{u < sigmoid(x)}, in place: sigmoid(x) = 1 / (1 + exp(-x))
        np.negative(x, out=x)
        np.exp(x, out=x)
        x += 1
        np.reciprocal(x, out=x)
        rng.random(out=u, dtype=dt)
        np.less(u, x, out=out, casting="unsafe")

    def sweeps(n):
        for _ in range(n):
            np.matmul(v, W, out=xh)
            np.add(xh, c, out=xh)
            sample(xh, uh, h)
            np.matmul(h, WT, out=xv)
            np.add(xv, b, out=xv)
            sample(xv, uv, v)

    with np.errstate(over="ignore"):  # exp overflow gives sigmoid 0, as it should
        sweeps(10)
        wall, cpu, _ = timed(lambda: sweeps(a.sweeps))
    return {"seconds": wall, "cpu_seconds": cpu, "sweeps": a.sweeps, "chains": a.chains,
            "sweeps_per_second": a.sweeps / wall, "dtype": a.dtype, "version": np.__version__}


def run_numpy_gemm(a):
    """The matrix products of one CD-1 epoch on MNIST and nothing else: per minibatch of 100
    rows, X·W, H·Wᵀ, V·W, Xᵀ·P and Vᵀ·Q (5 × 100×784×500 multiply-adds, the issue's count),
    600 minibatches, into preallocated outputs. Its time is the bound the issue sets for an
    epoch (235 GFLOP at what OpenBLAS reaches), measured on this machine in this run."""
    dt = np.dtype(a.dtype)
    r = np.random.default_rng(a.seed)
    n, nv, nh = BATCH, 784, HIDDEN
    x, v = (r.random((n, nv)) < 0.5).astype(dt), (r.random((n, nv)) < 0.5).astype(dt)
    w = (INIT_STD * r.standard_normal((nv, nh))).astype(dt)
    p_, q = r.random((n, nh)).astype(dt), r.random((n, nh)).astype(dt)
    hin, vin = np.empty((n, nh), dt), np.empty((n, nv), dt)
    gw, gw2 = np.empty((nv, nh), dt), np.empty((nv, nh), dt)
    batches = (a.rows or 60000) // BATCH

    def epoch():
        for _ in range(batches):
            np.matmul(x, w, out=hin)
            np.matmul(p_, w.T, out=vin)
            np.matmul(v, w, out=hin)
            np.matmul(x.T, p_, out=gw)
            np.matmul(v.T, q, out=gw2)

    epoch()  # warm up: BLAS threads started, buffers touched
    sec, cpu, _ = timed(epoch)
    gflop = batches * 5 * 2 * n * nv * nh / 1e9
    return {"seconds": sec, "cpu_seconds": cpu, "gflop": gflop, "gflops": gflop / sec,
            "dtype": a.dtype, "minibatches": batches}


def schedule(n):
    """ais.Schedule(n): Salakhutdinov & Murray's three segments [0, 0.5], [0.5, 0.9],
    [0.9, 1] with shares 500 : 4000 : 10000 of the n steps, each evenly spaced."""
    total = 14500
    n1, n2 = round(n * 500 / total), round(n * 4000 / total)
    betas, start = [0.0], 0.0
    for end, k in ((0.5, n1), (0.9, n2), (1.0, n - n1 - n2)):
        betas += [start + (end - start) * i / k for i in range(1, k + 1)]
        if k:
            start = end
    return np.array(betas)


def run_numpy_ais(a):
    """Forward AIS from the base-rate model of the data to boltz's model, written as plainly
    as numpy allows with the work per step kept to the two matrix products and the
    elementwise passes: per step, z = v·W + c once, the weight increment
    (β_k − β_{k−1})(b − b_A)ᵀv + Σ_j softplus(β_k z_j) − softplus(β_{k−1} z_j) with
    np.logaddexp, then h ~ σ(β_k z) and v ~ σ((1−β_k) b_A + β_k (b + h·Wᵀ)). The log weights
    are float64 whatever --dtype; the products and draws are in --dtype."""
    dt = np.dtype(a.dtype)
    m = np.load(a.model)
    W, b, c = m["W"].astype(dt), m["b"].astype(np.float64), m["c"].astype(dt)
    WT = np.ascontiguousarray(W.T)
    x = mnist(a.rows)
    p = x.mean(axis=0)
    alpha = 0.05  # ais.DefaultBaseRateSmoothing
    bA = np.log((p + alpha) / (1 - p + alpha))
    d = (b - bA).astype(dt)
    betas = schedule(a.betas)
    rng = np.random.default_rng(a.seed)
    M, nv, nh = a.runs, W.shape[0], W.shape[1]

    def anneal():
        v = (rng.random((M, nv), dtype=dt) < 1 / (1 + np.exp(-bA))).astype(dt)
        logw = np.zeros(M)
        for k in range(1, len(betas)):
            bo, bn = betas[k - 1], betas[k]
            z = v @ W + c
            logw += (bn - bo) * (v @ d) + (np.logaddexp(0, dt.type(bn) * z)
                                          - np.logaddexp(0, dt.type(bo) * z)).sum(axis=1)
            if k < len(betas) - 1:
                h = (rng.random((M, nh), dtype=dt) < 1 / (1 + np.exp(-dt.type(bn) * z))).astype(dt)
                u = (dt.type(bn) * (h @ WT) + ((1 - bn) * bA + bn * b).astype(dt))
                v = (rng.random((M, nv), dtype=dt) < 1 / (1 + np.exp(-u))).astype(dt)
        return logw

    with np.errstate(over="ignore"):  # exp overflow gives sigmoid 0, as it should
        wall, cpu, logw = timed(anneal)
    top = logw.max()
    w = np.exp(logw - top)
    logza = np.logaddexp(0, bA).sum() + nh * np.log(2)
    logz = logza + top + np.log(w.mean())
    se = w.std(ddof=1) / (np.sqrt(M) * w.mean())
    return {"seconds": wall, "cpu_seconds": cpu, "runs": M, "steps": len(betas) - 1,
            "log_z": float(logz), "log_z_stderr": float(se), "ess": float(w.sum() ** 2 / (w * w).sum()),
            "dtype": a.dtype, "version": np.__version__}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("workload", choices=["sklearn", "torch-cd1", "torch-pcd1", "torch-gibbs",
                                        "numpy-gibbs", "numpy-gemm", "numpy-ais"])
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--rows", type=int, default=0, help="first N MNIST rows (0: all)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--sweeps", type=int, default=1000)
    p.add_argument("--chains", type=int, default=100)
    p.add_argument("--model", help="numpy-ais: the model (.npz with W, b, c)")
    p.add_argument("--runs", type=int, default=100, help="numpy-ais: annealing runs")
    p.add_argument("--betas", type=int, default=14500, help="numpy-ais: temperature steps")
    a = p.parse_args()
    run = {"sklearn": run_sklearn,
           "torch-cd1": lambda a: run_torch_epoch(a, False),
           "torch-pcd1": lambda a: run_torch_epoch(a, True),
           "torch-gibbs": run_torch_gibbs, "numpy-gibbs": run_numpy_gibbs,
           "numpy-gemm": run_numpy_gemm, "numpy-ais": run_numpy_ais}[a.workload]
    res = run(a)
    res["bench"] = a.workload
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
