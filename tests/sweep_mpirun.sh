#!/usr/bin/env bash
# A sweep under a real MPI launcher: `mpirun --oversubscribe -np 2 descent sweep ...` spreads the
# trials over the two ranks; every trial trains once and rank 0 writes the results. Skipped
# (exit 77) where Open MPI's mpirun is not installed. Usage: sweep_mpirun.sh DESCENT
set -euo pipefail
descent=$1
if ! command -v mpirun >/dev/null; then
  echo "skipped: mpirun (Open MPI) is not installed"
  exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
launcher=(mpirun --oversubscribe -np 2)
if [ "$(id -u)" = 0 ]; then launcher+=(--allow-run-as-root); fi
"${launcher[@]}" "$descent" sweep --out s --grid optimizer.lr=0.3,0.1,0.03 --seeds 2 --threads 1 \
  --no-report --set data.name=moons --set data.size=200 --set train.epochs=2 \
  --set 'model.layers=["linear:out=8", "tanh", "linear:out=2"]' >out.txt
grep -q "best 3 of 3" out.txt || { cat out.txt; echo "no ranking from rank 0"; exit 1; }
[ "$(grep -c "best 3 of 3" out.txt)" = 1 ] || { echo "the ranking was printed twice"; exit 1; }
for log in s/logs/*.log; do
  [ "$(wc -l <"$log")" = 1 ] || { echo "$log: trained more than once"; cat "$log"; exit 1; }
done
[ "$(ls -d s/cfg*-seed* | wc -l)" = 6 ] || { echo "expected 6 trials"; exit 1; }
grep -c '"status": "completed"' s/results.json | grep -qx 6 || { echo "not every trial completed"; exit 1; }
echo "ok: 6 trials over 2 ranks"
