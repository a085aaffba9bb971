#!/usr/bin/python3
"""Linear probe: how useful are an RBM's hidden means as features for classifying MNIST?

    /usr/bin/python3 bench/probe.py MODEL.npz [BOLTZ] [-json]

Writes E[h|v] of the 60,000 thresholded training images and the 10,000 test images with
`boltz features` (BOLTZ, default `go run ./cmd/boltz` from this checkout), trains scikit-learn's
multinomial LogisticRegression (lbfgs, C = 1, 500 iterations) on the training features and
reports the test error, next to the same classifier on the raw thresholded pixels. Needs
Debian's python3-numpy and python3-sklearn, and MNIST in boltz's cache.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_classes import load  # noqa: E402  (thresholded MNIST from boltz's cache)


def features(boltz, model, spec, path):
    subprocess.run(boltz + ["features", "-model", model, "-data", spec, "-dtype", "float32", "-o", path],
                   check=True, capture_output=True)
    return np.load(path).astype(np.float64)


def error(xtr, ytr, xte, yte):
    from sklearn.linear_model import LogisticRegression
    t = time.time()
    clf = LogisticRegression(C=1.0, max_iter=500).fit(xtr, ytr)
    return float((clf.predict(xte) != yte).mean()), time.time() - t


def main(argv):
    as_json = "-json" in argv
    args = [a for a in argv if a != "-json"]
    if not args:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    model = args[0]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    boltz = [args[1]] if len(args) > 1 else ["go", "run", "-C", here, "./cmd/boltz"]
    model = os.path.abspath(model)
    tmp = tempfile.mkdtemp(prefix="boltz-probe-")
    xtr, ytr = load("train")
    xte, yte = load("test")
    ftr = features(boltz, model, "mnist", os.path.join(tmp, "train.npy"))
    fte = features(boltz, model, "mnist:test", os.path.join(tmp, "test.npy"))
    e_feat, t_feat = error(ftr, ytr, fte, yte)
    e_raw, t_raw = error(xtr, ytr, xte, yte)
    out = {"model": model, "hidden": int(ftr.shape[1]), "test_error_features": e_feat, "test_error_pixels": e_raw,
           "fit_seconds_features": round(t_feat, 1), "fit_seconds_pixels": round(t_raw, 1)}
    if as_json:
        print(json.dumps(out))
    else:
        print(f"logistic regression on {ftr.shape[1]} RBM features: test error {100 * e_feat:.2f}%")
        print(f"logistic regression on 784 thresholded pixels: test error {100 * e_raw:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
