#!/usr/bin/env bash
# Real pages in Chromium: a report of four short runs (two optimizers x two seeds) and an
# optimize race with its step slider. Usage: descent_pages.sh DESCENT CHECK_PAGE_COMMAND...
set -euo pipefail
descent=$1
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for seed in 0 1; do
  for optimizer in sgd adam; do
    "$descent" train --out "$dir/$optimizer$seed" --seed $seed --threads 1 \
      --set data.name=moons --set data.size=200 --set train.epochs=4 \
      --set 'model.layers=["linear:out=8", "tanh", "linear:out=2"]' \
      --set optimizer.name=$optimizer --set optimizer.lr=0.05 >/dev/null
  done
done
"$descent" report "$dir"/sgd0 "$dir"/sgd1 "$dir"/adam0 "$dir"/adam1 --out "$dir/report.html" >/dev/null
# loss and accuracy (train, validation), the per-step loss, lr, gradient norm mean and max,
# update ratios
"$@" "$dir/report.html" --charts 9
"$descent" optimize --function rosenbrock --optimizer adam:lr=0.05 \
  --optimizer sgd:lr=1e-3,momentum=0.9 --steps 100 --plot "$dir/race.html" >/dev/null
# the contour with its paths, loss and gradient norm; the slider must move the paths
"$@" "$dir/race.html" --charts 3 --slider step-contour
