#!/usr/bin/env bash
# Measures espcompose: the Go benchmarks of every package, then wall-clock builds of
# the quickstart and secure-production examples, side by side with Espressif's own
# tool chain doing the same work when that chain is installed.
#
# Never fails: a step that cannot run is reported and skipped (exit status is 0).
# CI does not call this script. See bench/README.md.
#
# Knobs (environment):
#   BENCHTIME  go test -benchtime     (default 300ms)
#   COUNT      go test -count         (default 3)
#   RUNS       timed runs per command (default 10)
#   BENCH_OUT  where logs and outputs go (default bench/out, ignored by git)
#   SKIP_GO=1  skip the Go benchmarks
#   FSGEN_PYTHON  the Python that runs ESP-IDF's filesystem generators (default: python3)
#   ESPTOOL, ESPSECURE, GEN_ESP32PART, NVS_PARTITION_GEN
#              command strings for the reference tools, e.g.
#              GEN_ESP32PART="python3 $IDF_PATH/components/partition_table/gen_esp32part.py"

set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$repo/bench/out}
benchtime=${BENCHTIME:-300ms}
count=${COUNT:-3}
runs=${RUNS:-10}
examples=(quickstart secure-production)

mkdir -p "$out" || exit 0
results=$out/results.txt
: >"$results"

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s ==\n' "$*"; }

section "Machine"
say "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
say "cpu:     $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || echo unknown)"
say "nproc:   $(nproc 2>/dev/null || echo unknown)"
say "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) (1, 5, 15 min; other work on the machine skews the numbers)"
say "go:      $(go version 2>/dev/null || echo 'not found')"
dirty=$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
say "commit:  $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$([ "$dirty" -gt 0 ] && echo " (+$dirty modified files)")"

# ---------------------------------------------------------------- Go benchmarks

# summarize prints, for each benchmark in a `go test -bench` log, the median of its
# runs: ns/op, MB/s (when it calls SetBytes), B/op and allocs/op.
summarize() {
	awk '
	/^pkg: / { pkg = $2; sub(/^github\.com\/espcompose\/espcompose\//, "", pkg) }
	/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name); name = pkg " " name
		if (!(name in seen)) { seen[name] = 1; order[++n] = name }
		k = ++cnt[name]
		for (i = 3; i < NF; i++) {
			if ($(i+1) == "ns/op") ns[name, k] = $i
			if ($(i+1) == "MB/s") mb[name, k] = $i
			if ($(i+1) == "B/op") bo[name, k] = $i
			if ($(i+1) == "allocs/op") al[name, k] = $i
		}
	}
	function median(arr, name, c,    v, i, j, t, m) {
		m = 0
		for (i = 1; i <= c; i++) if ((name, i) in arr) v[++m] = arr[name, i] + 0
		if (m == 0) return ""
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((m + 1) / 2)]
	}
	END {
		printf "| %-17s | %-40s | %14s | %9s | %10s | %9s |\n", "package", "benchmark (median of runs)", "ns/op", "MB/s", "B/op", "allocs/op"
		printf "|%s|%s|%s|%s|%s|%s|\n", "-------------------", "------------------------------------------", "---------------:", "----------:", "-----------:", "----------:"
		for (i = 1; i <= n; i++) {
			b = order[i]; split(b, part, " ")
			printf "| %-17s | %-40s | %14s | %9s | %10s | %9s |\n", part[1], part[2], median(ns, b, cnt[b]), median(mb, b, cnt[b]), median(bo, b, cnt[b]), median(al, b, cnt[b])
		}
	}' "$1"
}

if [ "${SKIP_GO:-}" != 1 ] && command -v go >/dev/null; then
	section "Go benchmarks (-benchtime $benchtime -count $count)"
	golog=$out/go-bench.txt
	(cd "$repo" && go test -run '^$' -bench . -benchmem -benchtime "$benchtime" -count "$count" ./...) >"$golog" 2>&1 ||
		say "warning: some packages failed (see $golog); the table shows what ran"
	grep -E '^(pkg|FAIL|---)' "$golog" | grep -v '^pkg' || true
	summarize "$golog"
	say "raw log: $golog"
fi

# ------------------------------------------------------------- wall-clock builds

section "Wall-clock builds"
espcompose=$out/espcompose
if ! (cd "$repo" && go build -o "$espcompose" ./cmd/espcompose) 2>"$out/go-build.txt"; then
	say "cannot build espcompose (see $out/go-build.txt); stopping here"
	exit 0
fi
say "espcompose: $($espcompose version 2>/dev/null || echo "$espcompose")"
# Links named like Espressif's tools, for the reference scripts run with the drop-ins.
"$espcompose" links "$out/links" >/dev/null 2>&1 || say "espcompose links failed: no drop-in timings"

# detect VAR candidate...: sets VAR to the first command string that answers --help.
detect() {
	local var=$1 cand
	shift
	if [ -n "${!var:-}" ]; then
		# shellcheck disable=SC2086
		if ${!var} --help >/dev/null 2>&1; then return 0; fi
		say "  $var=\"${!var}\" does not run; looking elsewhere"
	fi
	for cand in "$@"; do
		# shellcheck disable=SC2086
		if [ -n "$cand" ] && $cand --help >/dev/null 2>&1; then
			printf -v "$var" '%s' "$cand"
			export "${var?}"
			return 0
		fi
	done
	printf -v "$var" '%s' ""
	return 1
}

idf=${IDF_PATH:-/nonexistent}
# The interpreter itself, not a wrapper: a pyenv shim adds ~60 ms to every call.
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)
missing=()
detect ESPTOOL esptool.py esptool "$py -m esptool" || missing+=("esptool.py")
detect ESPSECURE espsecure.py espsecure "$py -m espsecure" || missing+=("espsecure.py")
detect GEN_ESP32PART gen_esp32part.py "$py $idf/components/partition_table/gen_esp32part.py" ||
	missing+=("gen_esp32part.py")
detect NVS_PARTITION_GEN "$py -m esp_idf_nvs_partition_gen" nvs_partition_gen.py \
	"$py $idf/components/nvs_flash/nvs_partition_generator/nvs_partition_gen.py" ||
	missing+=("nvs_partition_gen")
have_ref=1
if [ ${#missing[@]} -gt 0 ]; then
	have_ref=0
	say "Reference chain NOT installed (missing: ${missing[*]})."
	say "Timing espcompose only. bench/README.md says how to install the reference tools."
else
	say "Reference chain:"
	say "  esptool:           $ESPTOOL ($($ESPTOOL version 2>/dev/null | tail -n1))"
	say "  espsecure:         $ESPSECURE"
	say "  gen_esp32part:     $GEN_ESP32PART"
	say "  nvs_partition_gen: $NVS_PARTITION_GEN"
fi

hyperfine=$(command -v hyperfine || true)
hf_noshell=()
if [ -n "$hyperfine" ]; then
	say "timer: $($hyperfine --version) ($runs runs, 1 warmup)"
	# Without a shell in between where supported, so a spawn is not counted.
	"$hyperfine" --help 2>/dev/null | grep -q -- '--shell=none' && hf_noshell=(-N)
else
	say "timer: bash loop with date +%s%N ($runs runs, 1 warmup); install hyperfine for better statistics"
fi

# measure LABEL PREPARE COMMAND: times COMMAND (PREPARE runs untimed before each run)
# and appends "LABEL mean_ms stddev_ms min_ms" to the results file.
measure() {
	local label=$1 prepare=$2 cmd=$3
	if [ -n "$hyperfine" ]; then
		local csv=$out/hf-${label//[^A-Za-z0-9_.-]/_}.csv
		if ! "$hyperfine" "${hf_noshell[@]}" --style none --warmup 1 --runs "$runs" --prepare "$prepare" \
			--export-csv "$csv" "$cmd" >/dev/null 2>"$csv.err"; then
			say "  $label: failed (see $csv.err)"
			return
		fi
		awk -F, -v l="$label" 'NR == 2 { printf "%s %.2f %.2f %.2f\n", l, $2 * 1000, $3 * 1000, $7 * 1000 }' "$csv" >>"$results"
		return
	fi
	local i t0 t1 times=()
	for ((i = 0; i <= runs; i++)); do
		bash -c "$prepare" >/dev/null 2>&1
		t0=$(date +%s%N)
		if ! bash -c "$cmd" >/dev/null 2>"$out/loop.err"; then
			say "  $label: failed (see $out/loop.err)"
			return
		fi
		t1=$(date +%s%N)
		[ "$i" -gt 0 ] && times+=($((t1 - t0))) # run 0 is the warmup
	done
	printf '%s\n' "${times[@]}" | awk -v l="$label" '
		{ s += $1; ss += $1 * $1; if (NR == 1 || $1 < m) m = $1 }
		END { mean = s / NR; sd = sqrt((ss / NR - mean * mean) > 0 ? ss / NR - mean * mean : 0)
		      printf "%s %.2f %.2f %.2f\n", l, mean / 1e6, sd / 1e6, m / 1e6 }' >>"$results"
}

for ex in "${examples[@]}"; do
	w=$out/work/$ex
	rm -rf "$w" && mkdir -p "$w/src" || continue
	# The example without its local cache or outputs, so the first build starts cold.
	(cd "$repo/examples/$ex" && tar --exclude=.espcompose --exclude=dist -cf - .) | (cd "$w/src" && tar -xf -)
	build="'$espcompose' build -f '$w/src/espcompose.hcl'"
	say "measuring $ex ..."
	measure "$ex:espcompose-cold" "rm -rf '$w/cold-cache' '$w/cold-dist'" \
		"$build -o '$w/cold-dist' --cache-dir '$w/cold-cache'"
	eval "$build -o '$w/warm-dist' --cache-dir '$w/warm-cache'" >/dev/null 2>&1
	measure "$ex:espcompose-cached" "true" "$build -o '$w/warm-dist' --cache-dir '$w/warm-cache'"
	# The reference pipeline's steps, run by espcompose's own subcommands.
	measure "$ex:espcompose-steps" "rm -rf '$w/steps'" \
		"env ESPCOMPOSE='$espcompose' bash '$repo/bench/ref/$ex/steps-espcompose.sh' '$w/src' '$w/steps'"
	if [ "$have_ref" = 1 ]; then
		measure "$ex:reference" "rm -rf '$w/ref'" "bash '$repo/bench/ref/$ex/pipeline.sh' '$w/src' '$w/ref'"
	fi
	# The same reference script, unchanged, with espcompose's drop-ins first on PATH
	# (espcompose links; bench/dropin.sh also compares the files).
	if [ -x "$out/links/esptool.py" ]; then
		measure "$ex:reference-dropins" "rm -rf '$w/refdrop'" \
			"env PATH='$out/links:$PATH' ESPTOOL=esptool.py ESPSECURE=espsecure.py GEN_ESP32PART=gen_esp32part.py NVS_PARTITION_GEN=nvs_partition_gen.py bash '$repo/bench/ref/$ex/pipeline.sh' '$w/src' '$w/refdrop'"
	fi
done

# ------------------------------------------------------------ filesystem images

# A 1 MB tree into a 2 MB partition, as SPIFFS, FAT (long names) and wear-levelled
# FAT: `espcompose fs build` against ESP-IDF's spiffsgen.py, fatfsgen.py and
# wl_fatfsgen.py, run from $IDF_PATH/components by bench/ref/fsimage/fsgen.py (sorted
# walk, fixed ids, so the images can be compared; FSGEN_PYTHON picks the interpreter
# that has the generators' dependencies, e.g. construct). The tree is 64 files of 1.5
# to 31.5 KB in four folders, cut from the espcompose binary just built.
fsw=$out/work/fs
if rm -rf "$fsw" && mkdir -p "$fsw/tree"; then
	off=0
	for d in 0 1 2 3; do
		mkdir -p "$fsw/tree/dir$d"
		for f in $(seq -w 0 15); do
			k=$((10#$d * 16 + 10#$f))
			n=$((1024 * (1 + k % 31) + 512))
			tail -c +$((off + 1)) "$espcompose" | head -c "$n" >"$fsw/tree/dir$d/file$f.bin"
			off=$((off + n))
		done
	done
	say "measuring filesystem images ($(du -sk "$fsw/tree" | cut -f1) KB tree, 2 MB partition) ..."
	fspy=${FSGEN_PYTHON:-$py}
	fsgen="env IDF_PATH='$idf' $fspy '$repo/bench/ref/fsimage/fsgen.py'"
	have_fsgen=0
	if [ -f "$idf/components/spiffs/spiffsgen.py" ] && eval "$fsgen spiffs '$fsw/tree' '$fsw/probe.bin' 0x200000" 2>"$fsw/probe.err"; then
		have_fsgen=1
	else
		say "  ESP-IDF's generators do not run (IDF_PATH=$idf, see $fsw/probe.err): espcompose only"
	fi
	fsb="'$espcompose' fs build --size 0x200000"
	for kind in spiffs fat wlfat; do
		case $kind in
		spiffs) flags="--type spiffs" ;;
		fat) flags="--type fat --long-names --volume-id 0x12345678" ;;
		wlfat) flags="--type wl-fat --long-names --volume-id 0x12345678 --device-id 0x9abcdef0" ;;
		esac
		measure "fs-$kind:espcompose-cold" "rm -f '$fsw/$kind.bin'" "$fsb $flags '$fsw/tree' '$fsw/$kind.bin'"
		if [ "$have_fsgen" = 1 ]; then
			measure "fs-$kind:reference" "rm -f '$fsw/ref-$kind.bin'" "$fsgen $kind '$fsw/tree' '$fsw/ref-$kind.bin' 0x200000"
		fi
	done
fi

# ------------------------------------------------------------------ comparison

section "Comparison (wall clock per build, ms)"
awk '
	{ split($1, p, ":"); ex = p[1]; v = p[2]
	  if (!(ex in seen)) { seen[ex] = 1; order[++n] = ex }
	  mean[ex, v] = $2; sd[ex, v] = $3; mn[ex, v] = $4 }
	function cell(ex, v) { return ((ex, v) in mean) ? sprintf("%.1f +- %.1f", mean[ex, v], sd[ex, v]) : "n/a" }
	function ratio(ex, v) { return ((ex, v) in mean && (ex, "reference") in mean && mean[ex, v] > 0) ? sprintf("%.0fx", mean[ex, "reference"] / mean[ex, v]) : "n/a" }
	function row(a, b, c, d, e, f, g, h) { printf "| %-17s | %-17s | %-17s | %-17s | %-17s | %-9s | %-9s | %-9s |\n", a, b, c, d, e, f, g, h }
	END {
		row("example", "reference chain", "espcompose steps", "espcompose build", "espcompose build", "ref /", "ref /", "ref /")
		row("", "(Espressif tools)", "(same pipeline)", "(cold cache)", "(warm cache)", "steps", "cold", "warm")
		print "|-------------------|-------------------|-------------------|-------------------|-------------------|-----------|-----------|-----------|"
		for (i = 1; i <= n; i++) {
			ex = order[i]
			row(ex, cell(ex, "reference"), cell(ex, "espcompose-steps"), cell(ex, "espcompose-cold"), cell(ex, "espcompose-cached"),
				ratio(ex, "espcompose-steps"), ratio(ex, "espcompose-cold"), ratio(ex, "espcompose-cached"))
		}
	}' "$results"
say "(mean +- standard deviation over $runs runs; cold = empty stage cache, every stage runs)"

# The runs are only comparable if they made the same bytes: check it.
section "Same output?"
same() {
	if [ ! -f "$1" ] || [ ! -f "$2" ]; then
		say "  $3: not compared (missing file)"
	elif cmp -s "$1" "$2"; then
		say "  $3: identical"
	else
		say "  $3: differs${4:+ ($4)}"
	fi
}
q=$out/work/quickstart s=$out/work/secure-production
same "$q/steps/quickstart-factory.bin" "$q/cold-dist/quickstart-factory.bin" "espcompose steps vs build: quickstart .bin"
same "$q/steps/quickstart-factory.hex" "$q/cold-dist/quickstart-factory.hex" "espcompose steps vs build: quickstart .hex"
same "$s/steps/sensor-node-factory.bin" "$s/cold-dist/sensor-node-factory.bin" "espcompose steps vs build: secure merged image"
if [ "$have_ref" = 1 ]; then
	same "$q/ref/quickstart-factory.bin" "$q/cold-dist/quickstart-factory.bin" "reference vs espcompose: quickstart .bin"
	same "$q/ref/quickstart-factory.hex" "$q/cold-dist/quickstart-factory.hex" "reference vs espcompose: quickstart .hex"
	same "$s/ref/pt.enc" "$s/cold-dist/partition-table.bin" "reference vs espcompose: secure partition table (encrypted)"
	same "$s/ref/nvs.bin" "$s/cold-dist/partitions/nvs.bin" "reference vs espcompose: secure NVS (encrypted)"
	same "$s/ref/otadata.enc" "$s/cold-dist/partitions/otadata.bin" "reference vs espcompose: secure otadata (encrypted)"
	same "$s/ref/nvs_keys.enc" "$s/cold-dist/partitions/nvs_keys.bin" "reference vs espcompose: secure nvs_keys (encrypted)"
	same "$s/ref/bl.enc" "$s/cold-dist/bootloader.bin" "reference vs espcompose: secure bootloader" \
		"expected: espsecure's RSA-PSS salt is random, espcompose's deterministic"
	same "$s/ref/app.enc" "$s/cold-dist/partitions/ota_0.bin" "reference vs espcompose: secure app" \
		"expected: espsecure's RSA-PSS salt is random, espcompose's deterministic"
fi
if [ "${have_fsgen:-0}" = 1 ]; then
	for kind in spiffs fat wlfat; do
		same "$fsw/ref-$kind.bin" "$fsw/$kind.bin" "reference vs espcompose: $kind image of the 1 MB tree"
	done
fi

say ""
say "logs and outputs: $out"
exit 0
