#!/usr/bin/python3
"""Round trips of boltz models with numpy, scikit-learn and PyTorch (docs/interop.md).

    /usr/bin/python3 bench/interop.py [BOLTZ]

BOLTZ is a boltz binary (default: built from this checkout into a temporary directory).
Needs Debian's python3-numpy and python3-sklearn; the PyTorch check runs when python3-torch
is installed. Every check prints its largest difference and the script exits 1 if any
exceeds its tolerance:

1. boltz → scikit-learn: a BernoulliRBM given a boltz model's W, b, c transforms the data as
   `boltz features` does (1e-12).
2. scikit-learn → boltz: a fitted BernoulliRBM saved with numpy.savez(components_=…, …)
   loads in boltz (directly and through `boltz import`), and `boltz features` reproduces its
   transform (1e-12).
3. numpy → boltz: W, b, c saved by numpy.savez load as a model, and `boltz exact` gives the
   log Z that numpy computes by enumerating the hidden layer (1e-10).
4. boltz → PyTorch: torch.from_numpy(np.load(model)["W"]) and the biases give the same hidden
   means (1e-12).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TOL_TRANSFORM, TOL_LOGZ = 1e-12, 1e-10
failures = []


def check(name, diff, tol):
    ok = diff <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name}: largest difference {diff:.3g} (tolerance {tol:g})")
    if not ok:
        failures.append(name)


def run(*args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p.stdout


def main():
    tmp = tempfile.mkdtemp(prefix="boltz-interop-")
    boltz = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tmp, "boltz")
    if len(sys.argv) <= 1:
        here = os.path.dirname(os.path.abspath(__file__))
        run("go", "build", "-C", os.path.dirname(here), "-o", boltz, "./cmd/boltz")

    # Data: 400 rows of 16 binary pixels, two noisy prototypes, so that the models learn
    # something beyond the marginals.
    rng = np.random.default_rng(1)
    proto = rng.random((2, 16)) < 0.5
    x = proto[rng.integers(0, 2, 400)] ^ (rng.random((400, 16)) < 0.1)
    x = x.astype(np.float64)
    csv = os.path.join(tmp, "x.csv")
    np.savetxt(csv, x, fmt="%d", delimiter=",")

    from sklearn.neural_network import BernoulliRBM

    # 1. boltz → scikit-learn.
    run_dir = os.path.join(tmp, "run")
    run(boltz, "train", "-data", csv, "-hidden", "8", "-epochs", "20", "-batch", "20", "-lr", "0.05",
        "-no-report", "-final-eval", "none", "-o", run_dir)
    model = os.path.join(run_dir, "model.npz")
    feats = os.path.join(tmp, "f.npy")
    run(boltz, "features", "-model", model, "-data", csv, "-dtype", "float64", "-o", feats)
    z = np.load(model)
    sk = BernoulliRBM(n_components=8)
    sk.components_, sk.intercept_hidden_, sk.intercept_visible_ = z["W"].T.copy(), z["c"], z["b"]
    check("boltz → scikit-learn: transform", np.abs(sk.transform(x) - np.load(feats)).max(), TOL_TRANSFORM)

    # 2. scikit-learn → boltz.
    fitted = BernoulliRBM(n_components=8, n_iter=5, learning_rate=0.05, random_state=1).fit(x)
    sk_path = os.path.join(tmp, "sklearn.npz")
    np.savez(sk_path, components_=fitted.components_, intercept_visible_=fitted.intercept_visible_,
             intercept_hidden_=fitted.intercept_hidden_)
    run(boltz, "features", "-model", sk_path, "-data", csv, "-dtype", "float64", "-o", feats)
    check("scikit-learn → boltz: transform (plain file)", np.abs(fitted.transform(x) - np.load(feats)).max(), TOL_TRANSFORM)
    imported = os.path.join(tmp, "imported.npz")
    run(boltz, "import", sk_path, "-o", imported)
    run(boltz, "features", "-model", imported, "-data", csv, "-dtype", "float64", "-o", feats)
    check("scikit-learn → boltz import: transform", np.abs(fitted.transform(x) - np.load(feats)).max(), TOL_TRANSFORM)

    # 3. numpy → boltz: exact log Z by enumerating the 2^8 hidden states in numpy.
    W, b, c = rng.normal(0, 0.5, (16, 8)), rng.normal(0, 0.5, 16), rng.normal(0, 0.5, 8)
    np_path = os.path.join(tmp, "numpy.npz")
    np.savez(np_path, W=W, b=b, c=c)
    h = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)
    terms = h @ c + np.logaddexp(0, h @ W.T + b).sum(axis=1)
    top = terms.max()
    logz_np = top + np.log(np.exp(terms - top).sum())
    got = json.loads(run(boltz, "exact", "-model", np_path, "-json"))["log_z"]
    check("numpy → boltz: exact log Z", abs(got - logz_np), TOL_LOGZ)

    # 4. boltz → PyTorch.
    try:
        import torch
    except ImportError:
        print("skip boltz → PyTorch: python3-torch is not installed")
    else:
        Wt, ct = torch.from_numpy(z["W"]), torch.from_numpy(z["c"])
        ht = torch.sigmoid(torch.from_numpy(x) @ Wt + ct).numpy()
        run(boltz, "features", "-model", model, "-data", csv, "-dtype", "float64", "-o", feats)
        check("boltz → PyTorch: hidden means", np.abs(ht - np.load(feats)).max(), TOL_TRANSFORM)

    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        return 1
    print("all round trips agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
