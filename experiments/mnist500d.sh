#!/bin/sh
# 784×500 RBM on stochastically binarised MNIST, trained with DYNAMIC binarisation: the grey
# training images are kept and every minibatch is re-binarised with fresh Bernoulli draws
# (-binarize dynamic: stream from the seed, the epoch and the minibatch index), so each epoch
# sees a new draw of every image. The test set is binarised ONCE (-binarize stochastic, bits
# from -binarize-seed 1), as in Salakhutdinov & Murray 2008, whose figure is the target.
# Centered PCD-1 with momentum and a linear lr decay as experiments/mnist500.sh; float32
# minibatch arithmetic (-precision float32); 400 epochs.
# Target: AIS test log-likelihood ≥ −86.34 (Salakhutdinov & Murray 2008, CD-25, 500 hidden).
# Results and wall time: docs/mnist.md.
# Usage: sh experiments/mnist500d.sh   (from the repo root; BOLTZ=path/to/boltz to override)
set -e
BOLTZ=${BOLTZ:-/tmp/boltz-exp}
OUT=${OUT:-experiments/runs/h500d_a}
EPOCHS=${EPOCHS:-400}
time $BOLTZ train -data mnist -binarize dynamic -hidden 500 -method pcd -k 1 -epochs $EPOCHS -batch 100 \
  -lr 0.01 -lr-schedule linear -lr-final 0 -optimizer sgd \
  -momentum-initial 0.5 -momentum 0.9 -momentum-epochs 5 \
  -centered -center-rate 0.01 -l2 1e-4 -precision float32 -seed 1 -exact-monitor 0 -no-report -o $OUT
time $BOLTZ eval -method ais -model $OUT/model.npz -data mnist:test -binarize stochastic -binarize-seed 1 -seed 1 -json > $OUT.eval.json
cat $OUT.eval.json
