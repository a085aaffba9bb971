#!/bin/bash
# Submits a sharded AIS evaluation as a Slurm array of N shards and a merge that runs when
# all of them succeed; prints the two job ids. The merged result lands in $OUT/result.txt.
#
#   BOLTZ=/shared/bin/boltz MODEL=/shared/m.npz DATA=mnist:test OUT=/shared/eval-1 \
#     ./submit-ais.sh 8 -runs 800 -betas 14500
#
# CPUS (default 2) is the number of cores each shard asks for; boltz uses all it gets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:?usage: submit-ais.sh N [boltz eval flags]}
shift
: "${MODEL:?}" "${DATA:?}" "${OUT:?}"
mkdir -p "$OUT"
array=$(sbatch --parsable --cpus-per-task="${CPUS:-2}" --array=0-$((n - 1)) --export=ALL,SHARDS="$n" "$here/ais-shards.sbatch" "$@")
merge=$(sbatch --parsable --dependency=afterok:"${array%%;*}" --export=ALL "$here/merge.sbatch")
echo "$array $merge"
