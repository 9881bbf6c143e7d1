#!/usr/bin/env bash
# The action's diff step: build the manifest as it is at INPUT_DIFF_BASE (a git ref, e.g.
# the pull request's base) in a temporary worktree, then `espcompose diff BASE_OUT OUT
# --format markdown` and append the result to $GITHUB_STEP_SUMMARY.
#
# Reads: ESPCOMPOSE, INPUT_DIFF_BASE, INPUT_MANIFEST, INPUT_OUT (the head build, made by
# build.sh), INPUT_VARS, RUNNER_TEMP, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT. Sets the step
# output `diff` (the markdown file). Runs in the repository (working-directory).
set -euo pipefail
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
base="${INPUT_DIFF_BASE:?INPUT_DIFF_BASE is not set}"
esp="${ESPCOMPOSE:-espcompose}"
manifest="${INPUT_MANIFEST:-espcompose.hcl}"
out="${INPUT_OUT:-dist}"

if ! "$esp" diff --help >/dev/null 2>&1; then
  echo "::error::diff-base is set, but this espcompose ($("$esp" version 2>/dev/null || echo unknown)) has no 'diff' command; use a version with 'espcompose diff' or drop diff-base" >&2
  exit 1
fi

# Shallow checkouts (actions/checkout's default) do not have the base commit yet.
if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
  git fetch --no-tags --depth=1 origin "$base" || true
  rev="$(git rev-parse --verify --quiet FETCH_HEAD^{commit} || true)"
else
  rev="$(git rev-parse --verify "${base}^{commit}")"
fi
if [ -z "${rev:-}" ]; then
  echo "::error::diff-base ${base}: no such commit here or on origin" >&2
  exit 1
fi

top="$(git rev-parse --show-toplevel)"
rel="$(python3 -c 'import os,sys; print(os.path.relpath(os.path.abspath(sys.argv[1]), sys.argv[2]))' "$manifest" "$top")"
wt="$RUNNER_TEMP/espcompose-base"
base_out="$RUNNER_TEMP/espcompose-base-dist"
rm -rf "$wt" "$base_out"
git worktree add --detach --quiet "$wt" "$rev"
trap 'git worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
if [ ! -f "$wt/$rel" ]; then
  echo "::warning::$rel does not exist at ${base}; nothing to compare"
  exit 0
fi

vars=()
while IFS= read -r v; do
  v="$(printf '%s' "$v" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
  if [ -n "$v" ]; then vars+=("--var=$v"); fi
done <<<"${INPUT_VARS:-}"

echo "::group::espcompose build at ${base} (${rev})"
(cd "$wt" && "$esp" build -f "$rel" -o "$base_out" ${vars[@]+"${vars[@]}"})
echo "::endgroup::"

md="$RUNNER_TEMP/espcompose-diff.md"
set +e
"$esp" diff "$base_out" "$out" --format markdown >"$md"
rc=$?
set -e
# Like diff(1), 1 means "they differ"; anything above is an error.
if [ "$rc" -gt 1 ]; then
  echo "::error::espcompose diff failed (exit $rc)" >&2
  exit "$rc"
fi
{
  echo
  echo "### Changes against ${base}"
  echo
  cat "$md"
} >>"$GITHUB_STEP_SUMMARY"
echo "diff=$md" >>"$GITHUB_OUTPUT"
