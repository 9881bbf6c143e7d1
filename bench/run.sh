#!/usr/bin/env bash
# Measures espcompose: the Go benchmarks of every package, then whole processes on the
# real disk: builds of quickstart, secure-production and the production composes of
# bench/examples (4 MB and 16 MB), cold, cached and with nothing changed, each group
# timed in alternation with Espressif's own tool chain doing the same work when that
# chain is installed; the no-op rebuild against `espcompose version`; NVS of 5,000
# entries against nvs_partition_gen; filesystem images; ESP32-mode encryption speed.
#
# Never fails: a step that cannot run is reported and skipped (exit status is 0).
# CI does not call this script. See bench/README.md.
#
# Knobs (environment):
#   BENCHTIME  go test -benchtime     (default 300ms)
#   COUNT      go test -count         (default 3)
#   RUNS       alternating rounds per group (default 10; the no-op group runs 3x)
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

mkdir -p "$out" || exit 0
results=$out/results.txt
: >"$results"
rm -f "$out"/spec-*.tsv "$out"/group-*.txt "$out"/group-*.err
# Everything printed also goes to report.txt: bench/RESULTS.md quotes one such report.
exec > >(tee "$out/report.txt") 2>&1

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

# The timer of the comparisons: bench/harness (a module of its own, never part of
# `go test ./...`) runs the commands of a group in alternation, round after round, so
# load that comes and goes on a shared machine falls on all of them alike, and times
# each by fork/exec/wait with no shell in between; it also reports each command's peak
# resident set size (getrusage).
harness=$out/harness
# floor (bench/harness/floor) copies bytes an espcompose run made, durably: the least
# the same outputs cost to write, fsync and swap in, with no work of espcompose's.
floor=$out/floor
if ! (cd "$repo/bench/harness" && go build -o "$harness" . && go build -o "$floor" ./floor) 2>"$out/harness-build.txt"; then
	say "cannot build bench/harness (see $out/harness-build.txt); no comparisons"
	harness=""
fi

# setup NAME EXAMPLE [MANIFEST]: a copy of examples/EXAMPLE without its cache or
# outputs, with MANIFEST (a bench/examples/ manifest) in place of its own.
setup() {
	local w=$out/work/$1
	rm -rf "$w" && mkdir -p "$w/src" || return 1
	(cd "$repo/examples/$2" && tar --exclude=.espcompose --exclude=dist -cf - .) | (cd "$w/src" && tar -xf -)
	if [ -n "${3:-}" ]; then cp "$3" "$w/src/espcompose.hcl"; fi
}

# group NAME RUNS SPEC: times SPEC's commands alternately and appends
# "NAME:LABEL median mean sd min max_rss_kb cpu_ms" lines to the results.
group() {
	local name=$1 n=$2 spec=$3
	[ -n "$harness" ] || return 0
	say "measuring $name ($n rounds, load $(cut -d' ' -f1 /proc/loadavg)) ..."
	if ! "$harness" -runs "$n" -warmup 1 "$spec" >"$out/group-$name.txt" 2>"$out/group-$name.err"; then
		say "  $name: failed (see $out/group-$name.err)"
		return 0
	fi
	sed "s/^/$name:/" "$out/group-$name.txt" >>"$results"
}

# line LABEL PREPARE COMMAND: one command of a group's spec ("-": no prepare).
line() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }

ref16="env FLASH_SIZE=16MB PARTITIONS=$repo/bench/ref/production/partitions-16mb.csv NAME=production-16mb"
for ex in quickstart secure-production production production-16mb; do
	case $ex in
	production*) setup "$ex" secure-production "$repo/bench/examples/$ex/espcompose.hcl" || continue ;;
	*) setup "$ex" "$ex" || continue ;;
	esac
	w=$out/work/$ex
	build="$espcompose build -f $w/src/espcompose.hcl"
	spec=$out/spec-$ex.tsv
	{
		if [ "$have_ref" = 1 ]; then
			case $ex in
			production) line reference "rm -rf $w/ref" "bash $repo/bench/ref/production/pipeline.sh $w/src $w/ref" ;;
			production-16mb) line reference "rm -rf $w/ref" "$ref16 bash $repo/bench/ref/production/pipeline.sh $w/src $w/ref" ;;
			*) line reference "rm -rf $w/ref" "bash $repo/bench/ref/$ex/pipeline.sh $w/src $w/ref" ;;
			esac
		fi
		# The same reference script, unchanged, with espcompose's drop-ins first on PATH
		# (espcompose links; bench/dropin.sh also compares the files).
		case $ex in
		quickstart | secure-production)
			if [ -x "$out/links/esptool.py" ]; then
				line reference-dropins "rm -rf $w/refdrop" "env PATH=$out/links:$PATH ESPTOOL=esptool.py ESPSECURE=espsecure.py GEN_ESP32PART=gen_esp32part.py NVS_PARTITION_GEN=nvs_partition_gen.py bash $repo/bench/ref/$ex/pipeline.sh $w/src $w/refdrop"
			fi
			;;
		esac
		case $ex in
		quickstart | secure-production)
			line steps "rm -rf $w/steps" "env ESPCOMPOSE=$espcompose bash $repo/bench/ref/$ex/steps-espcompose.sh $w/src $w/steps"
			;;
		esac
		# cold: empty cache, new output folder: every stage runs, the tree is written,
		# flushed once and swapped in.
		line cold "rm -rf $w/cold-cache $w/cold-dist" "$build -o $w/cold-dist --cache-dir $w/cold-cache"
		# cached: stages from a warm cache, the tree published into a new folder.
		line cached "rm -rf $w/cached-dist" "$build -o $w/cached-dist --cache-dir $w/warm-cache"
		# noop: nothing changed since the last build: "Up to date".
		line noop - "$build -o $w/noop-dist --cache-dir $w/warm-cache"
		# floor: the tree a build wrote, copied by a program that does nothing else,
		# with the same durability (every file and folder flushed once, then the
		# swap); floor-nosync: the same without any flush.
		case $ex in
		production*)
			line floor "rm -rf $w/floor-dist" "$floor tree $w/noop-dist $w/floor-dist"
			line floor-nosync "rm -rf $w/floor-nosync-dist" "$floor tree $w/noop-dist $w/floor-nosync-dist nosync"
			;;
		esac
	} >"$spec"
	eval "$build -o $w/noop-dist --cache-dir $w/warm-cache" >/dev/null 2>&1
	group "$ex" "$runs" "$spec"
done

# A rebuild with nothing changed against the process doing nothing at all: `idf.py
# build` runs espcompose on every build, so this is what the hook costs.
spec=$out/spec-noop.tsv
{
	line version - "$espcompose version"
	for ex in production production-16mb secure-production; do
		w=$out/work/$ex
		line "noop-$ex" - "$espcompose build -f $w/src/espcompose.hcl -o $w/noop-dist --cache-dir $w/warm-cache"
	done
} >"$spec"
group noop $((runs * 3)) "$spec"

# NVS: a CSV of 5,000 entries (one namespace; u32, i8, string and hex2bin blob rows
# in turn) into a 384 KB partition, nvs_partition_gen against `espcompose nvs encode`.
nw=$out/work/nvs
if rm -rf "$nw" && mkdir -p "$nw"; then
	awk 'BEGIN {
		print "key,type,encoding,value"; print "bench,namespace,,"
		for (i = 1; i < 5000; i++) {
			k = sprintf("k%05d", i)
			if (i % 4 == 0) printf "%s,data,u32,%d\n", k, i * 7919
			else if (i % 4 == 1) printf "%s,data,i8,%d\n", k, i % 100 - 50
			else if (i % 4 == 2) printf "%s,data,string,value-%d\n", k, i
			else printf "%s,data,hex2bin,%08x%08x\n", k, i, i * 31
		}
	}' >"$nw/nvs5000.csv"
	{
		if [ "$have_ref" = 1 ]; then
			line reference "rm -f $nw/ref.bin" "$NVS_PARTITION_GEN generate $nw/nvs5000.csv $nw/ref.bin 0x60000"
		fi
		line espcompose "rm -f $nw/esp.bin" "$espcompose nvs encode $nw/nvs5000.csv $nw/esp.bin --size 0x60000"
		# The same 384 KB written, flushed and renamed by a program doing nothing else,
		# and espcompose starting and doing nothing.
		line version - "$espcompose version"
		line floor "rm -f $nw/floor.bin" "$floor file $nw/floor-src.bin $nw/floor.bin"
	} >"$out/spec-nvs.tsv"
	"$espcompose" nvs encode "$nw/nvs5000.csv" "$nw/floor-src.bin" --size 0x60000 >/dev/null 2>&1
	group nvs5000 "$runs" "$out/spec-nvs.tsv"
fi

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
		{
			if [ "$have_fsgen" = 1 ]; then
				line reference "rm -f '$fsw/ref-$kind.bin'" "$fsgen $kind '$fsw/tree' '$fsw/ref-$kind.bin' 0x200000"
			fi
			line espcompose "rm -f '$fsw/$kind.bin'" "$fsb $flags '$fsw/tree' '$fsw/$kind.bin'"
		} >"$out/spec-fs-$kind.tsv"
		group "fs-$kind" "$runs" "$out/spec-fs-$kind.tsv"
	done
fi

# ------------------------------------------------------------------ comparison

section "Comparison, alternating runs (ms per run: wall median, wall mean +- sd, CPU median; peak RSS)"
awk '
	{ split($1, p, ":"); g = p[1]; v = p[2]
	  if (!(g in seen)) { seen[g] = 1; order[++n] = g }
	  if (!((g, v) in med)) { labels[g] = labels[g] " " v }
	  med[g, v] = $2; mean[g, v] = $3; sd[g, v] = $4; rss[g, v] = $6; cpu[g, v] = $7 }
	END {
		for (i = 1; i <= n; i++) {
			g = order[i]
			printf "\n%s\n", g
			k = split(labels[g], l, " ")
			for (j = 1; j <= k; j++) {
				v = l[j]; r = ""
				if ((g, "reference") in med && v != "reference" && med[g, v] > 0) r = sprintf("  reference / this = %.0fx", med[g, "reference"] / med[g, v])
				printf "  %-24s %9.1f   %9.1f +- %-7.1f cpu %8.1f   %7.1f MB%s\n", v, med[g, v], mean[g, v], sd[g, v], cpu[g, v], rss[g, v] / 1024, r
			}
		}
	}' "$results"
say ""
say "(median of $runs alternating rounds, after 1 warmup round; the noop group runs $((runs * 3)) rounds."
say " cold = empty stage cache and a new output folder; cached = warm cache, new output folder;"
say " noop = nothing changed, the same output folder: \"Up to date\". Peak RSS is the largest"
say " getrusage ru_maxrss over the runs; for the reference, its largest process. CPU is user+system"
say " time of the process and the children it waited for; wall minus CPU is waiting for the disk"
say " (fsync, journal) or for a core.)"

section "Commands timed (LABEL: COMMAND, after the untimed PREPARE)"
for spec in "$out"/spec-*.tsv; do
	[ -f "$spec" ] || continue
	g=$(basename "$spec" .tsv)
	say "${g#spec-}:"
	awk -F'\t' '{ printf "  %s: %s", $1, $3; if ($2 != "-") printf "   (prepare: %s)", $2; printf "\n" }' "$spec"
done

section "ESP32-mode flash encryption (FLASH_CRYPT_CONFIG 0xF)"
say "command: go test -run '^\$' -bench '^BenchmarkEncryptESP32AES\$' -benchtime 1s -count 3 ./format/flashenc/"
enclog=$out/esp32-encrypt.txt
if (cd "$repo" && go test -run '^$' -bench '^BenchmarkEncryptESP32AES$' -benchtime 1s -count 3 ./format/flashenc/) >"$enclog" 2>&1; then
	awk '/^BenchmarkEncryptESP32AES/ { for (i = 3; i < NF; i++) if ($(i+1) == "MB/s") { v[++n] = $i } }
		END { asort(v); printf "esp32-aes:go-bench %s\n", v[int((n + 1) / 2)] }' "$enclog" >>"$results" 2>/dev/null ||
		awk '/^BenchmarkEncryptESP32AES/ { for (i = 3; i < NF; i++) if ($(i+1) == "MB/s") print "esp32-aes:go-bench " $i }' "$enclog" | sort -k2 -n | sed -n 2p >>"$results"
	grep '^BenchmarkEncryptESP32AES' "$enclog"
else
	say "  failed (see $enclog)"
fi

section "CPU profile of a 16 MB XTS cold build"
# compose.BenchmarkBuildDisk/production-16mb: empty cache, new output folder, real
# disk. Where the CPU goes once each byte is hashed once (issue 13 item 1).
prof=$out/cpu-16mb.prof
say "command: go test -run '^\$' -bench 'BuildDisk/production-16mb\$' -benchtime 20x -cpuprofile $prof ./compose/ && go tool pprof -top $prof"
if (cd "$repo" && go test -run '^$' -bench 'BuildDisk/production-16mb$' -benchmem -benchtime 20x \
	-cpuprofile "$prof" -o "$out/compose.test" ./compose/) >"$out/profile-16mb.txt" 2>&1; then
	grep '^Benchmark' "$out/profile-16mb.txt"
	go tool pprof -top -nodecount=12 "$out/compose.test" "$prof" 2>/dev/null | sed -n '/flat%/,$p'
	say "cumulative, selected:"
	go tool pprof -top -cum -nodecount=400 "$out/compose.test" "$prof" 2>/dev/null |
		grep -E 'sha256\.block$|stages\.NewArtifact$|cas\.\(\*Store\)\.(PutDigested|GetVerified)$|outputs\.Files$|fsutil\.(WriteNew|SyncTree)$|flashenc\.\(\*Cipher\)\.cryptXTS$|merged\.raw$|runtime\.memclrNoHeapPointers$' | sed 's/^/  /'
else
	say "  failed (see $out/profile-16mb.txt)"
fi

section "Must show (issue 13), from the medians above"
awk -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
	{ split($1, p, ":"); med[p[1], p[2]] = $2; rss[p[1], p[2]] = $6 }
	function ratio(a, b) { return (a > 0 && b > 0) ? a / b : -1 }
	function ceil(what, v) {
		if (v < 0) printf "  %-58s %10s\n", what, "n/a"; else printf "  %-58s %9.1fx\n", what, v
	}
	function row(what, v, op, want, unit) {
		if (v < 0) { printf "  %-58s %10s   (need %s %s%s)   n/a\n", what, "n/a", op, want, unit; return }
		ok = (op == ">=") ? v >= want : v <= want
		printf "  %-58s %9.1f%s   (need %s %s%s)   %s\n", what, v, unit, op, want, unit, ok ? "PASS" : "FAIL"
	}
	END {
		row("production compose: reference / espcompose cold", ratio(med["production", "reference"], med["production", "cold"]), ">=", 100, "x")
		row("secure-production: reference / espcompose cold", ratio(med["secure-production", "reference"], med["secure-production", "cold"]), ">=", 60, "x")
		row("no-op rebuild (production) / espcompose version", ratio(med["noop", "noop-production"], med["noop", "version"]), "<=", 2, "x")
		row("no-op rebuild (secure-production) / espcompose version", ratio(med["noop", "noop-secure-production"], med["noop", "version"]), "<=", 2, "x")
		row("16 MB production cold / 4 MB production cold", ratio(med["production-16mb", "cold"], med["production", "cold"]), "<=", 3, "x")
		row("NVS 5,000 entries: nvs_partition_gen / espcompose", ratio(med["nvs5000", "reference"], med["nvs5000", "espcompose"]), ">=", 20, "x")
		row("ESP32-mode encryption (Go benchmark, median of 3)", ("esp32-aes", "go-bench") in med ? med["esp32-aes", "go-bench"] : -1, ">=", 200, " MB/s")
		row("16 MB cold build peak RSS / flash size", ("production-16mb", "cold") in rss ? rss["production-16mb", "cold"] / 16384 : -1, "<", 3, "x")
		printf "  (load average at the end: %s)\n", load
		printf "\n  The most any tool can reach while flushing its outputs (reference / floor: the same\n"
		printf "  bytes written, flushed and swapped in by a program that does nothing else):\n"
		ceil("production: reference / floor", ratio(med["production", "reference"], med["production", "floor"]))
		ceil("production: reference / floor without the flush", ratio(med["production", "reference"], med["production", "floor-nosync"]))
		ceil("production: espcompose cold / floor", ratio(med["production", "cold"], med["production", "floor"]))
		ceil("NVS 5,000 entries: reference / floor", ratio(med["nvs5000", "reference"], med["nvs5000", "floor"]))
		ceil("NVS 5,000 entries: espcompose / floor", ratio(med["nvs5000", "espcompose"], med["nvs5000", "floor"]))
		ceil("NVS 5,000 entries: reference / espcompose version", ratio(med["nvs5000", "reference"], med["nvs5000", "version"]))
	}' "$results"

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
# same_prefix A B LABEL: A (the reference's) equals the start of B; the rest of B is
# what espcompose adds: an encrypted image padded to whole 128-byte XTS units with
# 0xFF before encryption, as the device reads the last unit, where espsecure stops
# at the data's end.
same_prefix() {
	if [ ! -f "$1" ] || [ ! -f "$2" ]; then
		say "  $3: not compared (missing file)"
	elif cmp -s -n "$(stat -c %s "$1")" "$1" "$2"; then
		say "  $3: identical over the reference's $(stat -c %s "$1") bytes; espcompose's is $(stat -c %s "$2") (padded to the XTS unit)"
	else
		say "  $3: differs"
	fi
}
if [ "$have_ref" = 1 ]; then
	for ex in production production-16mb; do
		p=$out/work/$ex
		same "$p/ref/pt.enc" "$p/cold-dist/partition-table.bin" "reference vs espcompose: $ex partition table (encrypted)"
		same "$p/ref/nvs.bin" "$p/cold-dist/partitions/nvs.bin" "reference vs espcompose: $ex NVS (encrypted)"
		same "$p/ref/otadata.enc" "$p/cold-dist/partitions/otadata.bin" "reference vs espcompose: $ex otadata (encrypted)"
		same "$p/ref/nvs_keys.enc" "$p/cold-dist/partitions/nvs_keys.bin" "reference vs espcompose: $ex nvs_keys (encrypted)"
		same_prefix "$p/ref/bl.enc" "$p/cold-dist/bootloader.bin" "reference vs espcompose: $ex bootloader (encrypted)"
		same_prefix "$p/ref/app.enc" "$p/cold-dist/partitions/ota_0.bin" "reference vs espcompose: $ex app (encrypted)"
	done
	same "$out/work/nvs/ref.bin" "$out/work/nvs/esp.bin" "reference vs espcompose: NVS of 5,000 entries"
fi
if [ "${have_fsgen:-0}" = 1 ]; then
	for kind in spiffs fat wlfat; do
		same "$fsw/ref-$kind.bin" "$fsw/$kind.bin" "reference vs espcompose: $kind image of the 1 MB tree"
	done
fi

say ""
say "logs and outputs: $out"
exit 0
