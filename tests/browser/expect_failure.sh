#!/usr/bin/env bash
# Runs a check that must fail, for tests of the checker itself: passes when COMMAND exits with a
# status other than 0 and 77 and every PATTERN (an extended regular expression) matches a line
# of its output. Status 77 (skipped: something to run the check is missing) passes through.
# Usage: expect_failure.sh -m PATTERN [-m PATTERN ...] -- COMMAND [ARGS ...]
set -uo pipefail
patterns=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  [ "$1" = "-m" ] && [ $# -ge 2 ] || { echo "usage: $0 -m PATTERN [-m PATTERN ...] -- COMMAND" >&2; exit 2; }
  patterns+=("$2")
  shift 2
done
[ $# -ge 2 ] || { echo "usage: $0 -m PATTERN [-m PATTERN ...] -- COMMAND" >&2; exit 2; }
shift
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
[ $status -eq 77 ] && exit 77
if [ $status -eq 0 ]; then
  echo "expect_failure: the check passed, but it should have failed"
  exit 1
fi
for pattern in "${patterns[@]}"; do
  if ! grep -qE -- "$pattern" <<<"$output"; then
    echo "expect_failure: it failed (exit $status), but no line of its output matches: $pattern"
    exit 1
  fi
done
echo "expect_failure: failed as expected (exit $status)"
