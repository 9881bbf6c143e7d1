#!/usr/bin/env bash
# The README's first command: builds the bundled quickstart example into dist/quickstart.
# Everything it needs comes from the Go module proxy on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi
# plan takes the same -o as build: its default, dist/, is the folder that holds
# dist/quickstart, which espcompose did not make and so refuses as an output.
go run ./cmd/espcompose plan  -f examples/quickstart/espcompose.hcl -o dist/quickstart
go run ./cmd/espcompose build -f examples/quickstart/espcompose.hcl -o dist/quickstart
echo
echo "Flash it with:  (cd dist/quickstart && esptool.py --chip esp32c3 write_flash @flash_args)"
