#!/usr/bin/env bash
# Installs the espcompose the action runs, pinned to the action's own ref: GitHub checks
# the action out at the ref the workflow names (uses: espcompose/espcompose@v1 or @<sha>),
# and this builds cmd/espcompose from that checkout. INPUT_VERSION (the action's
# `version` input) installs a released version with `go install ...@VERSION` instead.
#
# Reads: ACTION_PATH (github.action_path), ACTION_REF (github.action_ref), INPUT_VERSION,
# RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT. Writes the binary to
# $RUNNER_TEMP/espcompose/bin, adds that folder to PATH for later steps and sets the
# step output `bin`.
set -euo pipefail
: "${RUNNER_TEMP:?RUNNER_TEMP is not set (run inside GitHub Actions or set it)}"
: "${GITHUB_PATH:?GITHUB_PATH is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

bindir="$RUNNER_TEMP/espcompose/bin"
mkdir -p "$bindir"
if [ -n "${INPUT_VERSION:-}" ]; then
  echo "Installing github.com/espcompose/espcompose/cmd/espcompose@${INPUT_VERSION}"
  GOBIN="$bindir" go install "github.com/espcompose/espcompose/cmd/espcompose@${INPUT_VERSION}"
else
  src="${ACTION_PATH:?ACTION_PATH is not set}"
  ver="${ACTION_REF:-}"
  if [ -z "$ver" ]; then
    ver="$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null || echo dev)"
  fi
  echo "Building espcompose ${ver} from ${src}"
  (cd "$src" && go build -trimpath -ldflags "-X main.version=${ver}" -o "$bindir/espcompose" ./cmd/espcompose)
fi
"$bindir/espcompose" version
echo "$bindir" >>"$GITHUB_PATH"
echo "bin=$bindir/espcompose" >>"$GITHUB_OUTPUT"
