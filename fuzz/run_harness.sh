#!/usr/bin/env bash
# Runs one fuzzing harness for SECONDS, starting from its committed corpus:
#   fuzz/run_harness.sh HARNESS CORPUS_DIR SECONDS ARTIFACT_DIR
# New interesting inputs go to a scratch corpus (the committed one changes only by hand); a crash,
# sanitizer report, leak, timeout or memory blow-up writes the input to ARTIFACT_DIR and fails.
# The limits: inputs up to 64 KiB, 2 GB of memory, 10 s per input.
set -euo pipefail
harness=$1 corpus=$2 seconds=$3 artifacts=$4
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$harness" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$artifacts/$(basename "$harness")-" "$scratch" "$corpus"
