#!/usr/bin/env bash
# TEST: installs/starts the servers and Debian's chromium if needed, runs every test project of the solution and
# ends with one line: "Tests: N passed, N failed, N skipped". Exits with dotnet test's exit code.
# Extra arguments go to dotnet test, e.g. ./test.sh --filter "FullyQualifiedName~Tenancy"
set -uo pipefail
cd "$(dirname "$0")"

eng/servers.sh --with-browser || exit $?
eng/embeddings.sh || exit $?

log=$(mktemp /tmp/aiplatform-test.XXXXXX.log)
trap 'rm -f "$log"' EXIT
dotnet test AiPlatform.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project summaries: "Passed!  - Failed: 0, Passed: 12, Skipped: 1, Total: 13, Duration: ... - X.dll (net10.0)"
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      v = $(i + 1); gsub(/,/, "", v)
      if ($i == "Failed:") failed += v
      else if ($i == "Passed:") passed += v
      else if ($i == "Skipped:") skipped += v
    }
  }
  END { printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }'
exit "$status"
