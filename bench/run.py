#!/usr/bin/python3
"""Driver of bench/run.sh: runs boltz and its peers interleaved, prints medians and ratios.

Every measurement is a fresh process that prints one JSON object (bench/boltzbench,
bench/exactlogz, bench/peers.py, bench/exact_logz.py --json). One repetition runs every
case once; the order of the cases rotates from one repetition to the next, so that a slow
spell of the machine does not always land on the same implementation. The tables give the
median wall time over the repetitions (the min and max in brackets), the median CPU time
(user + system of the process, all its threads), and the ratios boltz / this row of the
median wall times, one column per boltz build in float64 ("boltz pure-go / this",
"boltz openblas / this") and, in the CD-1 and PCD-1 tables, one per build in float32
("boltz pure-go f32 / this", "boltz openblas f32 / this"): below 1 boltz is faster.

boltz's CD-1 and PCD-1 epochs run in both precisions of train.Config.Precision: the rows
"boltz <build> (f64)" and "boltz <build> (f32)" (bench/boltzbench -precision float32: float32
minibatch products, means and chain states; parameters and their updates stay float64).
Gibbs sampling and AIS run in both precisions too (mcmc.Float32, ais.Float32), against
numpy in float32 and float64; the AIS peer anneals the very model boltz's pure-Go float64
case trained and saved (boltzbench ais -save), so their log Z must agree within the
standard errors, and the AIS table says whether they do.

Threads, per implementation (the machine has 2 cores):
  boltz            GOMAXPROCS=2; OPENBLAS_NUM_THREADS unset (the openblas build: one OpenBLAS
                   thread per strip of a product, strips over the goroutines)
  scikit-learn     numpy's OpenBLAS with OPENBLAS_NUM_THREADS=2 (sklearn itself is serial)
  PyTorch          torch.set_num_threads(1), OMP_NUM_THREADS=1, and OPENBLAS_NUM_THREADS=1
                   (Debian's torch does its matrix products in the system BLAS, OpenBLAS);
                   the "torch f32, BLAS×2" case keeps one torch thread but lets OpenBLAS use 2
  numpy Gibbs      OPENBLAS_NUM_THREADS=2
  numpy exact      2 Python threads over chunks, OPENBLAS_NUM_THREADS=1 (bench/exact_logz.py)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PY = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))

# One CD-1 epoch of MNIST, 784×500, batch 100: 600 updates × 5 products of 2·100·784·500
# flops = 235 GFLOP (the count: the fewest products CD-1 needs). OpenBLAS on this
# machine reaches about 210 GFLOP/s in float32 and 108 in float64 on 2 threads (the issue).
CD1_GFLOP = 600 * 5 * 2 * 100 * 784 * 500 / 1e9
BOUND_F32 = CD1_GFLOP / 210
BOUND_F64 = CD1_GFLOP / 108


def env(**kw):
    e = dict(os.environ)
    for k in ("GOMAXPROCS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        e.pop(k, None)
    e.update({k: str(v) for k, v in kw.items()})
    return e


# OPENBLAS_NUM_THREADS is left unset for boltz: the openblas build then runs OpenBLAS at one
# thread per strip of each product, split over GOMAXPROCS goroutines (internal/linalg); set,
# it would hand every product to OpenBLAS's own threads instead, which compete with Go's.
GO2 = dict(GOMAXPROCS=2, OMP_NUM_THREADS=1)
TORCH1 = dict(OMP_NUM_THREADS=1, OPENBLAS_NUM_THREADS=1, MKL_NUM_THREADS=1)
TORCH_BLAS2 = dict(OMP_NUM_THREADS=1, OPENBLAS_NUM_THREADS=2, MKL_NUM_THREADS=1)
NUMPY2 = dict(OPENBLAS_NUM_THREADS=2, OMP_NUM_THREADS=2)
NUMPY_EXACT = dict(OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1, MKL_NUM_THREADS=1)


class Case:
    def __init__(self, group, name, argv, envkw, boltz=None, shared=None, precision="float64"):
        self.group, self.name, self.argv, self.env = group, name, argv, env(**envkw)
        self.boltz = boltz  # "pure-go" or "openblas" for boltz's own cases
        self.precision = precision  # boltz's train.Config.Precision (cd1, pcd1)
        self.shared = shared  # other groups whose tables show this case too
        self.results = []


def cases(a, tmp):
    rows = ["-rows", str(a.rows)] if a.rows else []
    prow = ["--rows", str(a.rows)] if a.rows else []
    sweeps = str(a.sweeps)
    builds = [("pure-go", a.boltz_pure, a.exact_pure)]
    if a.boltz_openblas:
        builds.append(("openblas", a.boltz_openblas, a.exact_openblas))
    cs = []
    for label, bb, ez in builds:
        cs += [
            Case("cd1", f"boltz {label} (f64)", [bb, "cd1"] + rows, GO2, boltz=label),
            Case("cd1", f"boltz {label} (f32)", [bb, "cd1", "-precision", "float32"] + rows, GO2,
                 boltz=label, precision="float32"),
            Case("pcd1", f"boltz {label} (f64)", [bb, "pcd1"] + rows, GO2, boltz=label),
            Case("pcd1", f"boltz {label} (f32)", [bb, "pcd1", "-precision", "float32"] + rows, GO2,
                 boltz=label, precision="float32"),
            Case("exact", f"boltz {label} (f64)",
                 [ez, "-model", os.path.join(tmp, f"exact_{label}.npz"), "-runs", "1"], GO2, boltz=label),
            Case("gibbs", f"boltz {label} (f64)", [bb, "gibbs", "-sweeps", sweeps], GO2, boltz=label),
            Case("gibbs", f"boltz {label} (f32)", [bb, "gibbs", "-sweeps", sweeps, "-precision", "float32"], GO2,
                 boltz=label, precision="float32"),
        ]
        if a.ais:
            ais = [bb, "ais", "-runs", str(a.ais_runs), "-betas", str(a.ais_betas)] + rows
            save = ["-save", os.path.join(tmp, "ais_model.npz")] if label == "pure-go" else []
            cs += [Case("ais", f"boltz {label} (f64)", ais + save, GO2, boltz=label),
                   Case("ais", f"boltz {label} (f32)", ais + ["-precision", "float32"], GO2,
                        boltz=label, precision="float32")]
    peers = [PY, os.path.join(HERE, "peers.py")]
    for dt in ("float64", "float32"):
        cs.append(Case("pcd1", f"scikit-learn BernoulliRBM (f{dt[5:]}, PCD-1)",
                       peers + ["sklearn", "--dtype", dt] + prow, NUMPY2, shared=["cd1"]))
    for dt in ("float32", "float64"):
        f = "f" + dt[5:]
        cs += [
            Case("cd1", f"PyTorch {f}, 1 thread", peers + ["torch-cd1", "--dtype", dt] + prow, TORCH1),
            Case("pcd1", f"PyTorch {f}, 1 thread", peers + ["torch-pcd1", "--dtype", dt] + prow, TORCH1),
            Case("gibbs", f"PyTorch {f}, 1 thread",
                 peers + ["torch-gibbs", "--dtype", dt, "--sweeps", sweeps], TORCH1),
            Case("gibbs", f"numpy {f}, BLAS×2",
                 peers + ["numpy-gibbs", "--dtype", dt, "--sweeps", sweeps], NUMPY2),
        ]
    if a.ais:
        # After boltz's cases in every AIS repetition: they read the model the pure-Go float64
        # case saved.
        for dt in ("float64", "float32"):
            cs.append(Case("ais", f"numpy f{dt[5:]}, BLAS×2",
                           peers + ["numpy-ais", "--dtype", dt, "--model", os.path.join(tmp, "ais_model.npz"),
                                    "--runs", str(a.ais_runs), "--betas", str(a.ais_betas)] + prow, NUMPY2))
    cs.append(Case("cd1", "PyTorch f32, 1 thread, BLAS×2", peers + ["torch-cd1", "--dtype", "float32"] + prow,
                   TORCH_BLAS2))
    # The bound, measured: an epoch's matrix products alone in numpy's OpenBLAS on
    # two threads (shown in the CD-1 table, where the ratio columns give boltz / bound).
    for dt in ("float32", "float64"):
        cs.append(Case("bound", f"GEMM bound: the epoch's products alone, numpy f{dt[5:]}, BLAS×2",
                       peers + ["numpy-gemm", "--dtype", dt] + prow, NUMPY2, shared=["cd1"]))
    # numpy reads the model the pure-Go exactlogz writes (run.sh writes it once before the
    # repetitions; every boltz run rewrites the same model from the same seed).
    cs.append(Case("exact", "numpy f64, 2 threads",
                   [PY, os.path.join(HERE, "exact_logz.py"), "--json",
                    os.path.join(tmp, "exact_pure-go.npz"), "1"], NUMPY_EXACT))
    return cs


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def run_case(c):
    load = loadavg()
    t0 = time.perf_counter()
    p = subprocess.run(c.argv, env=c.env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        sys.exit(f"run.py: {c.group} / {c.name} failed (exit {p.returncode}): {' '.join(c.argv)}")
    res = json.loads(p.stdout.strip().splitlines()[-1])
    res["load1_before"] = load[0]
    res["process_seconds"] = time.perf_counter() - t0
    c.results.append(res)
    return res


def med(c, key="seconds"):
    return statistics.median(r[key] for r in c.results)


def fmt(x):
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


TITLES = {
    "cd1": "(a) one epoch of CD-1, MNIST 60000×784, 500 hidden, batch 100 — seconds",
    "pcd1": "(b) one epoch of PCD-1, MNIST 60000×784, 500 hidden, batch 100 — seconds",
    "exact": "(c) exact log Z, 784×20 (2^20 hidden states) — seconds",
    "gibbs": "(e) block Gibbs sampling, 100 chains, 784×500 — sweeps/s",
    "ais": "(d) forward AIS, 100 runs × 14,500 temperatures, 784×500 — seconds",
}


def table(group, cs):
    rows = [c for c in cs if c.group == group or group in (c.shared or [])]
    if not rows:
        return ""
    # Ratio columns: every boltz build in float64, then every boltz build in float32.
    boltz = [c for c in rows if c.boltz and c.precision == "float64"]
    boltz += [c for c in rows if c.boltz and c.precision == "float32"]

    def colname(b):
        return b.name.split(' (')[0] + ("" if b.precision == "float64" else " f32")

    out = [f"### {TITLES[group]}", ""]
    gibbs = group == "gibbs"
    head = "| implementation | " + ("median sweeps/s [min–max]" if gibbs else "median wall s [min–max]")
    head += " | median CPU s | " + " | ".join(f"{colname(b)} / this" for b in boltz) + " |"
    out += [head, "|---" * (3 + len(boltz)) + "|"]
    for c in rows:
        w = [r["seconds"] for r in c.results]
        if gibbs:
            sps = [r["sweeps_per_second"] for r in c.results]
            val = f"{fmt(statistics.median(sps))} [{fmt(min(sps))}–{fmt(max(sps))}]"
        else:
            val = f"{fmt(statistics.median(w))} [{fmt(min(w))}–{fmt(max(w))}]"
        cpu = fmt(med(c, "cpu_seconds"))
        ratios = " | ".join(f"{med(b) / med(c):.2f}" for b in boltz)
        out.append(f"| {c.name} | {val} | {cpu} | {ratios} |")
    out.append("")
    if gibbs:
        out.append("Ratios are boltz time per sweep / peer time per sweep (below 1: boltz faster).")
    else:
        out.append("Ratios are boltz median wall time / this row's (below 1: boltz faster).")
    if any(c.precision == "float32" for c in boltz):
        out.append("Rows and columns marked f32 are boltz in float32 (boltzbench -precision float32: "
                   "train.Config.Precision, mcmc.Float32 or ais.Float32); the others float64.")
    if group in ("cd1", "pcd1"):
        runs = [r for c in rows if c.boltz for r in c.results]
        mon = statistics.median(r["run_seconds"] - r["seconds"] for r in runs)
        out.append(f"boltz times are Trainer.Elapsed (the minibatch loop); the per-epoch monitors, "
                   f"excluded, took a median {mon:.3f} s more.")
        # Both precisions train from the same seed: their reconstruction errors should agree
        # closely (they are not bit-identical), a check that the f32 epoch did the same work.
        rec = [(c.name, c.results[-1].get("recon_error")) for c in rows if c.boltz]
        if all(v is not None for _, v in rec):
            out.append("boltz reconstruction error after the epoch: "
                       + ", ".join(f"{n}: {v:.5g}" for n, v in rec))
    if group == "cd1":
        out.append(f"Bound from the issue: {CD1_GFLOP:.0f} GFLOP at OpenBLAS's 210 GFLOP/s (f32) = "
                   f"{BOUND_F32:.2f} s, at 108 GFLOP/s (f64) = {BOUND_F64:.2f} s.")
    if group == "exact":
        lz = {c.name: c.results[-1]["log_z"] for c in rows}
        out.append("log Z: " + ", ".join(f"{k}: {v:.15g}" for k, v in lz.items()))
    if group == "ais":
        for c in rows:
            r = c.results[-1]
            out.append(f"{c.name}: log Z = {r['log_z']:.4f} ± {r['log_z_stderr']:.4f} (ESS {r['ess']:.1f})")
        out.append("")
        for x, y in ais_pairs(rows):
            rx, ry = x.results[-1], y.results[-1]
            d, se = abs(rx["log_z"] - ry["log_z"]), (rx["log_z_stderr"] ** 2 + ry["log_z_stderr"] ** 2) ** 0.5
            out.append(f"{x.name} vs {y.name}: log Z differ by {d:.4f}, {d / se:.2f} standard errors of "
                       f"the difference ({se:.4f}): " + ("agree" if d <= 3 * se else "DISAGREE (beyond 3σ)"))
    out.append("")
    return "\n".join(out)


def ais_pairs(rows):
    """The AIS comparisons the issue asks for: each build's float32 against its float64 (the
    same model), and the pure-Go build's against numpy (which anneals that model)."""
    byname = {c.name: c for c in rows if c.results}
    pairs = []
    for label in ("pure-go", "openblas"):
        f64, f32 = byname.get(f"boltz {label} (f64)"), byname.get(f"boltz {label} (f32)")
        if f64 and f32:
            pairs.append((f32, f64))
    for prec in ("f64", "f32"):
        b, n = byname.get(f"boltz pure-go ({prec})"), byname.get(f"numpy {prec}, BLAS×2")
        if b and n:
            pairs.append((b, n))
    return pairs


def find(cs, group, name):
    for c in cs:
        if c.group == group and c.name == name and c.results:
            return c
    return None


def targets(cs):
    lines = ["### Targets of the issue", ""]

    def line(ok, text):
        lines.append(f"- [{'x' if ok else ' '}] {text}")

    sk64 = find(cs, "pcd1", "scikit-learn BernoulliRBM (f64, PCD-1)")
    torch = [find(cs, "cd1", n) for n in ("PyTorch f32, 1 thread", "PyTorch f32, 1 thread, BLAS×2")]
    torch = min((t for t in torch if t), key=med, default=None)
    # Each target is checked for both precisions: f32 is what 'boltz train' runs for CD/PCD
    # with SGD (-precision auto), f64 the rest.
    for prec in ("f32", "f64"):
        pure = find(cs, "cd1", f"boltz pure-go ({prec})")
        blas = find(cs, "cd1", f"boltz openblas ({prec})")
        if pure and sk64:
            line(med(pure) < med(sk64), f"pure Go {prec} CD-1 epoch faster than scikit-learn f64: "
                 f"{med(pure):.2f} s vs {med(sk64):.2f} s")
        if pure and torch:
            line(med(pure) <= 1.5 * med(torch), f"pure Go {prec} CD-1 epoch within 1.5× of PyTorch ({torch.name}): "
                 f"{med(pure):.2f} s vs {med(torch):.2f} s = {med(pure) / med(torch):.2f}×")
        if blas and torch:
            line(med(blas) < med(torch), f"openblas {prec} CD-1 epoch faster than PyTorch ({torch.name}): "
                 f"{med(blas):.2f} s vs {med(torch):.2f} s")
        if blas and prec == "f32":
            line(med(blas) <= 1.3 * BOUND_F32, f"openblas {prec} CD-1 epoch within 1.3× of the f32 bound "
                 f"{BOUND_F32:.2f} s: {med(blas):.2f} s = {med(blas) / BOUND_F32:.2f}×")
        elif blas:
            # A float64 epoch is not expected to come near the float32 bound: information only.
            lines.append(f"- (openblas {prec} CD-1 epoch against the f32 bound: {med(blas) / BOUND_F32:.2f}×)")
        if pure:
            # Not a target of the issue: the same bound for the default build.
            lines.append(f"- (pure Go {prec} CD-1 epoch against the f32 bound: {med(pure) / BOUND_F32:.2f}×)")
        mb = find(cs, "bound", f"GEMM bound: the epoch's products alone, numpy {prec}, BLAS×2")
        for b in (pure, blas):
            if b and mb:
                # The bound assumes 210 GFLOP/s (f32); this is the bound measured now.
                lines.append(f"- ({b.name} CD-1 epoch against the {prec} bound measured in this run, "
                             f"{med(mb):.2f} s at {med(mb, 'gflops'):.0f} GFLOP/s: {med(b) / med(mb):.2f}×)")
    ex = find(cs, "exact", "boltz pure-go (f64)")
    npx = find(cs, "exact", "numpy f64, 2 threads")
    if ex and npx:
        line(med(ex) < med(npx), f"exact log Z 784×20 faster than numpy: {med(ex):.2f} s vs {med(npx):.2f} s")
    npa = {p: find(cs, "ais", f"numpy {p}, BLAS×2") for p in ("f64", "f32")}
    for label in ("pure-go", "openblas"):
        a = find(cs, "ais", f"boltz {label} (f64)")
        a32 = find(cs, "ais", f"boltz {label} (f32)")
        if a:
            r = a.results[-1]
            full = r["runs"] == 100 and r["steps"] == 14500
            size = "" if full else f" (NOT the full size: {r['runs']}×{r['steps']})"
            line(full and med(a) < 120, f"AIS 100×14,500 on 784×500 under 2 minutes ({label}): {med(a):.1f} s{size}")
        if a32:
            r = a32.results[-1]
            full = r["runs"] == 100 and r["steps"] == 14500
            size = "" if full else f" (NOT the full size: {r['runs']}×{r['steps']})"
            line(full and med(a32) <= 15, f"float32 AIS 100×14,500 on 784×500 in ≤ 15 s ({label}): {med(a32):.1f} s"
                 + (f" = {med(a32) / med(a):.2f}× float64" if a else "")
                 + "".join(f", {med(a32) / med(n):.2f}× numpy {p}" for p, n in npa.items() if n) + size)
    if any(npa.values()):
        lines.append("- (numpy AIS: " + ", ".join(f"{p} {med(n):.1f} s" for p, n in npa.items() if n) + ")")
    np32 = find(cs, "gibbs", "numpy f32, BLAS×2")
    for label in ("pure-go", "openblas"):
        g32, g64 = find(cs, "gibbs", f"boltz {label} (f32)"), find(cs, "gibbs", f"boltz {label} (f64)")
        if g32 and np32:
            sps, nps = med(g32, "sweeps_per_second"), med(np32, "sweeps_per_second")
            line(sps >= 2 * nps, f"float32 Gibbs ≥ 2× numpy f32 with 2 BLAS threads ({label}): {sps:.0f} vs "
                 f"{nps:.0f} sweeps/s = {sps / nps:.2f}×"
                 + (f" (float64: {med(g64, 'sweeps_per_second'):.0f} sweeps/s, "
                    f"{med(g64, 'sweeps_per_second') / nps:.2f}×)" if g64 else ""))
    lines.append("")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description="run boltz against its peers (see bench/run.sh)")
    p.add_argument("--boltz-pure", required=True)
    p.add_argument("--boltz-openblas")
    p.add_argument("--exact-pure", required=True)
    p.add_argument("--exact-openblas")
    p.add_argument("--tmp", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--rows", type=int, default=0, help="first N MNIST rows (0: all)")
    p.add_argument("--sweeps", type=int, default=1000)
    p.add_argument("--ais", action="store_true")
    p.add_argument("--ais-reps", type=int, default=1)
    p.add_argument("--ais-runs", type=int, default=100)
    p.add_argument("--ais-betas", type=int, default=14500)
    p.add_argument("--json", help="also write every measurement to this file")
    a = p.parse_args()

    cs = cases(a, a.tmp)
    main_cases = [c for c in cs if c.group != "ais"]
    ais_cases = [c for c in cs if c.group == "ais"]
    start = time.time()
    for rep in range(a.reps):
        k = rep % len(main_cases)
        for c in main_cases[k:] + main_cases[:k]:
            r = run_case(c)
            print(f"rep {rep + 1}/{a.reps}  {c.group:6s} {c.name:42s} {r['seconds']:8.3f} s"
                  f"  (cpu {r['cpu_seconds']:.3f} s, load {r['load1_before']:.2f})", file=sys.stderr, flush=True)
    for rep in range(a.ais_reps if ais_cases else 0):
        for c in ais_cases:
            r = run_case(c)
            print(f"ais {rep + 1}/{a.ais_reps}  {c.name:42s} {r['seconds']:8.3f} s"
                  f"  (cpu {r['cpu_seconds']:.3f} s, load {r['load1_before']:.2f})", file=sys.stderr, flush=True)
    print(f"\n{a.reps} interleaved repetitions in {time.time() - start:.0f} s\n")
    for g in ("cd1", "pcd1", "exact", "ais", "gibbs"):
        print(table(g, cs))
    print(targets(cs))
    if a.json:
        with open(a.json, "w") as f:
            json.dump([{"group": c.group, "name": c.name, "argv": c.argv[1:], "results": c.results}
                       for c in cs], f, indent=1)


if __name__ == "__main__":
    main()
