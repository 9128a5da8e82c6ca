#!/usr/bin/env bash
# A sweep's report in Chromium (two optimizers x three sampled learning rates x two seeds, with
# its sensitivity chart and training curves) and a compare-optimizers report.
# Usage: sweep_page.sh DESCENT CHECK_PAGE_COMMAND...
set -euo pipefail
descent=$1
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$descent" sweep --out "$dir/sweep" --grid optimizer.name=sgd,adam \
  --random 'optimizer.lr=loguniform(1e-3,0.1)' --trials 3 --seeds 2 --threads 1 -q \
  --set data.name=moons --set data.size=200 --set train.epochs=3 \
  --set 'model.layers=["linear:out=8", "tanh", "linear:out=2"]' >/dev/null
"$@" "$dir/sweep/report.html" --charts 2
# compare-optimizers' page: the performance profile, then each problem's learning-rate curves and
# training curves.
"$descent" compare-optimizers --quick --problems spirals,sine --optimizers sgd adam \
  --lrs 0.01,0.1 --seeds 2 --budget 2 --threads 1 --out "$dir/compare" -q >/dev/null
"$@" "$dir/compare/report.html" --charts 5
