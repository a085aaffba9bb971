#!/bin/sh
# Control for experiments/mnist500.sh: the PUBLISHED recipe for 784×500 on MNIST thresholded at
# 0.5 (Melchior, Fischer & Wiskott 2016; PyDeep examples/RBM_MNIST_big.py): centered PCD-1,
# lr 0.01 constant, no momentum, no weight decay, batch 100, 200 epochs, evaluated exactly as
# mnist500.sh's model. If the evaluation is sound, its AIS figure should land near the published
# −84.86; a figure near mnist500.sh's −69.5 would point at the evaluation instead.
# Recorded run: binary built from commit beeb61a (float64 path), 22 min 5 s of training,
# 5 min 44 s of eval (machine mostly idle). Results: docs/mnist.md §2, experiments/results/h500_ctl.*
# Usage: sh experiments/mnist500ctl.sh   (from the repo root; BOLTZ=path/to/boltz to override)
# -precision float64 pins the float64 path the recorded runs used (today's default, auto, picks
# float32 here); binaries older than commit 17944ca lack the flag: drop it for them.
set -e
BOLTZ=${BOLTZ:-/tmp/boltz-exp}
OUT=${OUT:-experiments/runs/h500_ctl}
time $BOLTZ train -data mnist -binarize auto -hidden 500 -method pcd -k 1 -epochs 200 -batch 100 \
  -lr 0.01 -optimizer sgd -momentum-initial 0 -momentum 0 \
  -centered -center-rate 0.01 -l2 0 -precision float64 -seed 1 -exact-monitor 0 -no-report -o $OUT
time $BOLTZ eval -method ais -model $OUT/model.npz -data mnist:test -binarize auto -seed 1 -json > $OUT.eval.json
cat $OUT.eval.json
