#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other, each for FUZZTIME.
#
#   scripts/fuzz.sh                  # each target 3s: the brief run CI does after the tests
#   FUZZTIME=10m scripts/fuzz.sh     # the long run: 10 minutes per target
#   scripts/fuzz.sh ./format/nvs     # only the targets of some packages
#
# Targets are found with `go test -list '^Fuzz'`, so a new Fuzz function is run
# without editing this script. Each runs as `go test -run '^$' -fuzz '^Name$'`;
# the seed corpora (f.Add and testdata/fuzz) also run in every plain `go test`.
# A failing input is written to the package's testdata/fuzz/<Name>/ by Go: fix
# the code and commit that file, so the input stays a seed. The script runs
# every target, then exits 1 if any failed.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded" when
# -fuzztime ends while a worker is busy (golang/go#75804, fixed in Go 1.27). A
# run that fails with only that message, no failing input and no panic, is run
# again, up to three runs in all (one target in about 25 hits it in a 3 s run, so
# with 46 targets a second run alone still failed CI about one time in 15); any
# other failure, or the same one three times, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi
fuzztime="${FUZZTIME:-3s}"
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
  pkgs=(./...)
fi

# `go test -list` prints each package's names, then "ok <package> ..."; it fails
# (and so does this script) when a package does not build.
listing=$(go test -list '^Fuzz' "${pkgs[@]}")
targets=()
names=()
while IFS= read -r line; do
  case "$line" in
    Fuzz*) names+=("$line") ;;
    ok*)
      pkg=$(awk '{print $2}' <<<"$line")
      for n in "${names[@]}"; do targets+=("$pkg $n"); done
      names=()
      ;;
  esac
done <<<"$listing"

if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets found" >&2
  exit 1
fi

start=$SECONDS
failed=()
inputs=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  for attempt in 1 2 3; do
    echo "=== $pkg $name ($fuzztime)"
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$log"; then
      break
    fi
    if [ "$attempt" -lt 3 ] && grep -q 'context deadline exceeded' "$log" &&
      ! grep -qE 'Failing input written|panic:|\.go:[0-9]+: ' "$log"; then
      echo "fuzz.sh: $name stopped with the fuzztime deadline race (golang/go#75804); running it again"
      continue
    fi
    failed+=("$pkg $name")
    # CI keeps only the end of a long log: the failing input goes to the summary too.
    input=$(sed -n 's/.*Failing input written to \(testdata\/fuzz\/[^ ]*\).*/\1/p' "$log" | head -1)
    if [ -n "$input" ]; then
      inputs+=("$pkg/$input")
    fi
    break
  done
done
echo "fuzz.sh: ${#targets[@]} targets in $((SECONDS - start))s"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'fuzz.sh: FAILED %s\n' "${failed[@]}" >&2
  for input in "${inputs[@]}"; do
    dir=$(go list -f "{{.Dir}}" "${input%%/testdata/*}")
    echo "fuzz.sh: failing input of ${input%%/testdata/*}: testdata/${input#*/testdata/}" >&2
    head -c 2000 "$dir/testdata/${input#*/testdata/}" >&2 || true
    echo >&2
  done
  exit 1
fi
