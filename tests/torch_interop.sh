#!/usr/bin/env bash
# Trains a small model for one epoch on Fashion-MNIST with descent, then loads its
# model.safetensors into PyTorch (scripts/check_torch_load.py) and compares test accuracy.
# Exit 77 (skipped) without PyTorch or the dataset.
set -euo pipefail
descent=$1
root=$2
[ -d /usr/share/datasets/fashion-mnist ] || { echo "skipped: no Fashion-MNIST"; exit 77; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "skipped: no PyTorch"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$descent" train --out "$tmp/run" --set train.epochs=1 \
  --set 'model.layers=["linear:out=64","elu:alpha=0.5","linear:out=32","tanh","linear:out=10"]' >/dev/null
/usr/bin/python3 "$root/scripts/check_torch_load.py" "$tmp/run"
