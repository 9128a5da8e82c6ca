#!/usr/bin/env bash
# Real pages in Chromium: a report of four short runs (two optimizers x two seeds) and an
# optimize race with its step slider, and (with Fashion-MNIST installed) a VAE run's report with
# its terms and autoencoder figures. Usage: descent_pages.sh DESCENT CHECK_PAGE_COMMAND...
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
fashion=/usr/share/datasets/fashion-mnist
if [ -d "$fashion" ]; then
  # A VAE with a 2-unit code, 2 epochs on 500 images: loss (train, validation), the objective's
  # 5 terms, the per-step loss, lr, gradient norms, update ratios, then reconstructions, the code
  # plane, the manifold and the prior samples.
  "$descent" train --out "$dir/vae" --threads 1 --set data.dir="$fashion" \
    --set data.train_size=500 --set train.epochs=2 --set model.kind=vae --set model.code=2 \
    --set 'model.encoder=["linear:out=32", "relu"]' \
    --set 'model.decoder=["linear:out=32", "relu", "linear"]' \
    --set autoencoder.reconstruction=binary_cross_entropy >/dev/null
  "$@" "$dir/vae/report.html" --charts 16
fi
