#!/usr/bin/env bash
# Trains a small model for one epoch on Fashion-MNIST with descent, then loads its
# model.safetensors into the equivalent PyTorch module and compares the test numbers:
#   torch_interop.sh DESCENT ROOT [classifier|spirals|autoencoder|vae]
# classifier (the default): scripts/check_torch_load.py, test accuracy. spirals: the same script on
# a run that is not on Fashion-MNIST (sine regression too), which compares with descent predict. autoencoder (tied, with
# KL sparsity on sigmoid codes) and vae: scripts/check_torch_load_autoencoder.py, the test terms
# that do not depend on random draws. Exit 77 (skipped) without PyTorch or the dataset.
set -euo pipefail
descent=$1
root=$2
kind=${3:-classifier}
[ -d /usr/share/datasets/fashion-mnist ] || { echo "skipped: no Fashion-MNIST"; exit 77; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "skipped: no PyTorch"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$kind" in
  classifier)
    "$descent" train --out "$tmp/run" --set train.epochs=1 \
      --set 'model.layers=["linear:out=64","elu:alpha=0.5","dropout:p=0.2","linear:out=32","tanh","linear:out=10"]' >/dev/null
    /usr/bin/python3 "$root/scripts/check_torch_load.py" "$tmp/run"
    ;;
  spirals)
    "$descent" train --out "$tmp/run" --set data.name=spirals --set train.epochs=2 \
      --set 'model.layers=["linear:out=32","leaky_relu","dropout:p=0.2","linear"]' >/dev/null
    /usr/bin/python3 "$root/scripts/check_torch_load.py" "$tmp/run" --descent "$descent"
    "$descent" train --out "$tmp/sine" --set data.name=sine --set train.loss=mse \
      --set train.epochs=2 --set 'model.layers=["linear:out=16","softplus","linear"]' >/dev/null
    /usr/bin/python3 "$root/scripts/check_torch_load.py" "$tmp/sine" --descent "$descent"
    ;;
  autoencoder)
    "$descent" train --out "$tmp/run" --set train.epochs=1 --set data.train_size=500 \
      --set model.kind=autoencoder --set model.code=16 \
      --set 'model.encoder=["linear:out=64","tanh","linear","sigmoid"]' \
      --set 'model.decoder=["linear:out=64","tanh","linear"]' --set autoencoder.tied=true \
      --set autoencoder.sparsity=kl --set autoencoder.sparsity_weight=0.1 \
      --set autoencoder.reconstruction=binary_cross_entropy >/dev/null
    /usr/bin/python3 "$root/scripts/check_torch_load_autoencoder.py" "$tmp/run"
    ;;
  vae)
    "$descent" train --out "$tmp/run" --set train.epochs=1 --set data.train_size=500 \
      --set model.kind=vae --set model.code=2 --set 'model.encoder=["linear:out=64","relu"]' \
      --set 'model.decoder=["linear:out=64","relu","linear"]' --set autoencoder.beta=0.5 \
      --set autoencoder.reconstruction=binary_cross_entropy >/dev/null
    /usr/bin/python3 "$root/scripts/check_torch_load_autoencoder.py" "$tmp/run"
    ;;
  *)
    echo "torch_interop.sh: unknown kind '$kind' (expected classifier, spirals, autoencoder or vae)" >&2
    exit 2
    ;;
esac
