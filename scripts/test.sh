#!/usr/bin/env bash
# The one test command (README): installs test dependencies, vets, runs every test
# (including all conformance vectors in ../shared/conformance when present) with -race.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi
if [ -x scripts/install-test-deps.sh ]; then
  scripts/install-test-deps.sh
fi
go mod download
go vet ./...
go test -race -count=1 "$@" ./...
scripts/fuzz.sh # every fuzz target for FUZZTIME (default 3s); FUZZTIME=10m scripts/fuzz.sh runs longer
