#!/usr/bin/env bash
# Data-parallel training under a real Open MPI launcher (docs/distributed.md), one check per MODE:
#   parity   train.deterministic_reduction: 1, 2 and 4 ranks give bit-identical weights and metrics
#   fast     the allreduce path: 2 ranks repeat their own bits, and stay within rounding of one
#            process
#   resume   a run started on 2 ranks and resumed on 4, and one started on 4 and resumed in one
#            process, end bit-identical to a run never stopped
#   killed   a rank killed mid-run: mpirun stops the job, the last checkpoint loads, --resume
#            finishes it, bit-identical to a run never stopped
#   sigint   Ctrl-C to mpirun: every rank stops at the same step, rank 0 writes the checkpoint
# Skipped (exit 77) where Open MPI's mpirun or this build's MPI is missing.
# Usage: distributed_mpirun.sh MODE DESCENT
set -euo pipefail
mode=$1
descent=$2
if ! command -v mpirun >/dev/null; then
  echo "skipped: mpirun (Open MPI) is not installed"
  exit 77
fi
if ! ldd "$descent" | grep -q libmpi; then
  echo "skipped: this descent was built without MPI"
  exit 77
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# More ranks than the machine's 2 cores; shared memory between them, as on one machine.
export OMPI_MCA_rmaps_base_oversubscribe=1
config=$(cd "$(dirname "$0")/.." && pwd)/examples/classification.toml
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# Spirals with dropout (examples/classification.toml): dropout masks must follow the examples
# across ranks too. One thread per rank: OpenBLAS's results change with its thread count.
train() { "$descent" train --config "$config" \
  --threads 1 -q --no-report "$@" >/dev/null; }
on() { local ranks=$1; shift; mpirun -np "$ranks" "$@"; }
det=(--set train.deterministic_reduction=true)

same_bits() {  # two runs' weights and their metrics but the clock's
  cmp "$1/model.safetensors" "$2/model.safetensors" || { echo "FAIL: $1 and $2 weights differ"; exit 1; }
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
def lines(run):
    out = []
    for line in open(run + "/metrics.jsonl"):
        m = json.loads(line)
        for k in ("seconds", "samples_per_second"):
            m.pop(k)
        out.append(m)
    return out
a, b = lines(sys.argv[1]), lines(sys.argv[2])
if a != b:
    sys.exit("FAIL: %s and %s metrics differ" % (sys.argv[1], sys.argv[2]))
PY
}

case $mode in
parity)
  train "${det[@]}" --set train.epochs=3 --out one
  on 2 "$descent" train --config "$config" --threads 1 -q \
    --no-report "${det[@]}" --set train.epochs=3 --out two >/dev/null
  on 4 "$descent" train --config "$config" --threads 1 -q \
    --no-report "${det[@]}" --set train.epochs=3 --out four >/dev/null
  same_bits one two
  same_bits one four
  # Only rank 0 wrote: one run directory each, with one metrics line per epoch.
  [ "$(wc -l <four/metrics.jsonl)" = 3 ] || { echo "FAIL: metrics.jsonl written more than once"; exit 1; }
  echo "ok: 1, 2 and 4 ranks bit-identical (weights and metrics)"
  ;;
fast)
  train --set train.epochs=3 --out one
  on 2 "$descent" train --config "$config" --threads 1 \
    --no-report --set train.epochs=3 --out two_a >log.txt 2>&1
  on 2 "$descent" train --config "$config" --threads 1 \
    -q --no-report --set train.epochs=3 --out two_b >/dev/null
  cmp two_a/model.safetensors two_b/model.safetensors || { echo "FAIL: 2 ranks not repeatable"; exit 1; }
  # Open MPI gives the ranks a pseudo-terminal even when mpirun writes to a file: rank 0 must
  # still write a log, whole lines with no progress line drawn over (no \r, no escapes).
  grep -q "test_accuracy" log.txt || { echo "FAIL: no result line"; cat log.txt; exit 1; }
  if grep -q $'[\r\e]' log.txt; then echo "FAIL: drawn, not logged:"; cat -A log.txt; exit 1; fi
  /usr/bin/python3 - <<'PY'
import json, struct, sys
import numpy as np
def weights(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    head = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    return {k: np.frombuffer(body[v["data_offsets"][0]:v["data_offsets"][1]], np.float32)
            for k, v in head.items() if k != "__metadata__"}
one, two = weights("one/model.safetensors"), weights("two_a/model.safetensors")
# The two differ only in the order float32 additions take (the batch's GEMM over 2 shards, then
# their sum): about 1e-7 relative per step. Over 114 AdamW steps that stays near 1e-5 of the
# weights' size; a wrong share of the batch (a gradient off by 2x, a rank's rows counted twice)
# moves them by 1e-2 or more.
worst = max(float(np.abs(one[k] - two[k]).max() / max(np.abs(one[k]).max(), 1e-3)) for k in one)
moved = max(float(np.abs(one[k]).max()) for k in one)
print("largest difference relative to the tensor's largest weight: %.3g" % worst)
if not worst < 1e-4:
    sys.exit("FAIL: 2 ranks differ from one process by %.3g" % worst)
PY
  echo "ok: 2 ranks repeat their bits and agree with one process within rounding"
  ;;
resume)
  train "${det[@]}" --set train.epochs=4 --out straight
  on 2 "$descent" train --config "$config" --threads 1 -q \
    --no-report "${det[@]}" --set train.epochs=2 --out grown >/dev/null
  on 4 "$descent" train --resume grown --set train.epochs=4 -q --threads 1 >/dev/null
  same_bits straight grown
  on 4 "$descent" train --config "$config" --threads 1 -q \
    --no-report "${det[@]}" --set train.epochs=2 --out shrunk >/dev/null
  "$descent" train --resume shrunk --set train.epochs=4 -q --threads 1 >/dev/null
  same_bits straight shrunk
  echo "ok: 2 ranks resumed on 4, and 4 resumed in one process, bit-identical to a straight run"
  ;;
killed)
  # Enough epochs that the run is still going when a rank is killed after the first checkpoint.
  args=(--threads 1 -q --no-report "${det[@]}" --set train.epochs=80 --set data.size=6000)
  set +e
  mpirun -np 2 "$descent" train --config "$config" \
    "${args[@]}" --out run >log.txt 2>&1 &
  launcher=$!
  for _ in $(seq 200); do [ -f run/checkpoint.safetensors ] && break; sleep 0.05; done
  ranks=$(pgrep -f "descent train --config .* --out run" | sort -n)
  victim=$(echo "$ranks" | tail -1)
  kill -9 "$victim"
  wait "$launcher"
  status=$?
  set -e
  [ "$status" != 0 ] || { echo "FAIL: mpirun exited 0 after a rank was killed"; cat log.txt; exit 1; }
  [ ! -f run/summary.json ] || { echo "FAIL: the killed run finished anyway"; exit 1; }
  epochs=$(wc -l <run/metrics.jsonl)
  on 2 "$descent" train --resume run -q --threads 1 >/dev/null
  "$descent" train --config "$config" "${args[@]}" \
    --out straight >/dev/null
  same_bits straight run
  echo "ok: killed after $epochs epochs (mpirun status $status), resumed to 80, bit-identical"
  ;;
sigint)
  args=(--threads 1 --no-report "${det[@]}" --set train.epochs=80 --set data.size=6000)
  set +e
  mpirun -np 2 "$descent" train --config "$config" \
    "${args[@]}" --out run >log.txt 2>&1 &
  launcher=$!
  for _ in $(seq 200); do [ -f run/checkpoint.safetensors ] && break; sleep 0.05; done
  kill -INT "$launcher"
  wait "$launcher"
  set -e
  grep -q "interrupted by SIGTERM after step" log.txt || { echo "FAIL: no interruption message"; cat log.txt; exit 1; }
  [ "$(grep -c "resume with" log.txt)" = 1 ] || { echo "FAIL: not said once, by rank 0"; cat log.txt; exit 1; }
  on 2 "$descent" train --resume run -q --threads 1 >/dev/null
  "$descent" train --config "$config" "${args[@]}" -q \
    --out straight >/dev/null
  same_bits straight run
  echo "ok: Ctrl-C to mpirun stopped both ranks with one checkpoint; resumed bit-identical"
  ;;
*)
  echo "unknown mode $mode"
  exit 2
  ;;
esac
