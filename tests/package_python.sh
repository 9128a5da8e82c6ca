#!/usr/bin/env bash
# The Python package from an install prefix: `cmake --install BUILD --prefix P` into a fresh
# prefix, then descent imported from P's site-packages (and nothing from the build tree) steps an
# optimizer on a numpy array and trains a tiny run.
# Usage: package_python.sh BUILD_DIR PYTHON
set -euo pipefail
build=$1
python=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cmake --install "$build" --prefix "$dir/prefix" >/dev/null
site=$(echo "$dir"/prefix/lib/python3.*/dist-packages)
[ -f "$site/descent/__init__.py" ] || { echo "not installed: $site/descent/__init__.py"; exit 1; }
cd "$dir"
PYTHONPATH="$site" PYTHONDONTWRITEBYTECODE=1 "$python" - "$site" <<'PY'
import os, sys
import numpy
import descent
site = sys.argv[1]
assert os.path.dirname(descent.__file__) == os.path.join(site, "descent"), descent.__file__
w = numpy.zeros(3, numpy.float32)
opt = descent.optim.Adam([w], lr=0.1)
opt.step(grads=[numpy.ones(3, numpy.float32)])
assert numpy.allclose(w, -0.1), w
run = descent.train({"data.name": "spirals", "data.size": 200, "train.epochs": 2, "threads": 1,
                     "report.write": False}, out="run")
assert run.stop_reason == "completed" and len(run.history) == 2
print(f"descent {descent.__version__} from {site}: {len(descent.optim.names())} optimizers, "
      f"a run of {len(run.history)} epochs, test accuracy {run.summary['test_accuracy']:.3f}")
PY
