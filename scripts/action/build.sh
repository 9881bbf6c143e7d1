#!/usr/bin/env bash
# The action's build step: espcompose build, then the build's markdown summary appended
# to $GITHUB_STEP_SUMMARY (dist/summary.md when espcompose wrote one, else one made from
# build.json by summary.py). A failed build leaves its error in the summary too.
#
# Reads: ESPCOMPOSE (the binary; default espcompose on PATH), INPUT_MANIFEST,
# INPUT_OUT, INPUT_VARS (name=value lines), INPUT_ARGS (extra build arguments, e.g.
# --shard 2/4), RUNNER_TEMP, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT.
# Sets the step outputs `out` and `summary` (the markdown file).
set -euo pipefail
: "${RUNNER_TEMP:?RUNNER_TEMP is not set}"
: "${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
esp="${ESPCOMPOSE:-espcompose}"
manifest="${INPUT_MANIFEST:-espcompose.hcl}"
out="${INPUT_OUT:-dist}"

args=(build -f "$manifest" -o "$out")
while IFS= read -r v; do
  v="$(printf '%s' "$v" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
  if [ -n "$v" ]; then args+=("--var=$v"); fi
done <<<"${INPUT_VARS:-}"
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<<"$INPUT_ARGS"
  args+=("${extra[@]}")
fi

summary="$RUNNER_TEMP/espcompose-summary.md"
log="$RUNNER_TEMP/espcompose-build.log"
echo "::group::espcompose ${args[*]}"
set +e
"$esp" "${args[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
echo "::endgroup::"
if [ "$rc" -ne 0 ]; then
  {
    echo "### espcompose build failed (exit $rc)"
    echo
    echo '```'
    tail -n 40 "$log"
    echo '```'
  } >"$summary"
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
  echo "::error file=${manifest}::espcompose build failed (exit $rc)"
  exit "$rc"
fi

if [ -f "$out/summary.md" ]; then
  cp "$out/summary.md" "$summary"
else
  python3 "$here/summary.py" "$out" >"$summary"
fi
cat "$summary" >>"$GITHUB_STEP_SUMMARY"
{
  echo "out=$out"
  echo "summary=$summary"
} >>"$GITHUB_OUTPUT"
