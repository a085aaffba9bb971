#!/usr/bin/python3
"""Which digits do an RBM's samples show? Classifies binary MNIST-shaped samples with a
multinomial logistic regression trained on the thresholded MNIST training images.

    /usr/bin/python3 bench/sample_classes.py [-grey] SAMPLES.npy [SAMPLES.npy ...] [-json]

SAMPLES.npy holds N×784 binary visible states, as `boltz sample -n 100 -o s.npy` writes them;
with -grey, grey levels in [0, 1] (samples of a Gaussian model, which boltz sample writes in
pixel space), classified by the same regression trained on the grey training images instead
(cached as logreg_grey.npz).
For each file it prints the class histogram, the number of classes present and the number
with at least two samples (the first-run target is ≥ 9 classes with ≥ 2 samples each).

The classifier: scikit-learn's LogisticRegression (lbfgs, multinomial, C = 1, 200 iterations)
on the 60,000 training images thresholded at 0.5, the binarisation `boltz train` uses for
mnist. Its test accuracy on the 10,000 thresholded test images is printed once. The fitted
coefficients are cached next to the MNIST files (~/.cache/boltz/mnist/logreg.npz) so that
later calls take a second. MNIST is read from boltz's cache (`boltz data fetch mnist`).
Needs python3-numpy and python3-sklearn (Debian).
"""
import gzip
import json
import os
import sys

import numpy as np


def mnist_dir():
    """boltz's MNIST directory: $BOLTZ_DATA itself when set (as boltz reads it), else
    $XDG_CACHE_HOME/boltz/mnist or ~/.cache/boltz/mnist."""
    if os.environ.get("BOLTZ_DATA"):
        return os.environ["BOLTZ_DATA"]
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "boltz", "mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split, grey=False):
    d = mnist_dir()
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz")).reshape(-1, 784)
    y = read_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz"))
    if grey:
        return x / 255.0, y.astype(np.int64)
    return (x / 255.0 > 0.5).astype(np.float64), y.astype(np.int64)


def classifier(grey=False):
    cache = os.path.join(mnist_dir(), "logreg_grey.npz" if grey else "logreg.npz")
    if os.path.exists(cache):
        z = np.load(cache)
        return z["coef"], z["intercept"], float(z["test_accuracy"])
    from sklearn.linear_model import LogisticRegression
    x, y = load("train", grey)
    clf = LogisticRegression(C=1.0, max_iter=200)
    clf.fit(x, y)
    xt, yt = load("test", grey)
    acc = float((clf.predict(xt) == yt).mean())
    np.savez(cache, coef=clf.coef_, intercept=clf.intercept_, test_accuracy=acc)
    return clf.coef_, clf.intercept_, acc


def main(argv):
    as_json, grey = "-json" in argv, "-grey" in argv
    files = [a for a in argv if a not in ("-json", "-grey")]
    if not files:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    coef, intercept, acc = classifier(grey)
    out = []
    for path in files:
        s = np.load(path).astype(np.float64)
        if s.ndim != 2 or s.shape[1] != 784:
            print(f"{path}: want N×784 samples, got shape {s.shape}", file=sys.stderr)
            return 1
        pred = np.argmax(s @ coef.T + intercept, axis=1)
        hist = np.bincount(pred, minlength=10)
        out.append({
            "file": path, "n": int(len(s)), "histogram": hist.tolist(),
            "classes": int((hist > 0).sum()), "classes_with_2": int((hist >= 2).sum()),
            "classifier_test_accuracy": acc,
        })
    if as_json:
        print(json.dumps(out if len(out) > 1 else out[0]))
        return 0
    kind = "grey" if grey else "thresholded"
    print(f"classifier: logistic regression on {kind} MNIST, test accuracy {acc:.4f}")
    for r in out:
        print(f"{r['file']}: {r['n']} samples, classes 0-9: {r['histogram']}; "
              f"{r['classes']} classes present, {r['classes_with_2']} with at least 2")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
