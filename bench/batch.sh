#!/usr/bin/env bash
# bench/batch.sh: a device batch at factory scale (issue 10), and ESP-IDF's mfg_gen.py
# doing the same per-device NVS work in the same run, when it is available.
#
#   bench/batch.sh                    # 1,000 and 10,000 devices
#   SIZES="1000" bench/batch.sh       # 1,000 only
#
# For each size N and each variant (plain NVS; NVS encrypted with a per-device key
# created on the first build, as mfg_gen --keygen does) it times, one process per
# command, with /usr/bin/time -v (wall clock, peak resident memory):
#   - espcompose build, cold (empty output folder and cache), --jobs $JOBS;
#   - espcompose build again with nothing changed (every device skipped by its record);
#   - espcompose build after one changed row (one device rebuilt);
#   - mfg_gen.py generate on the same devices (cold), when found.
# The per-device work is the same: one 16 KB NVS partition per device with the entries
# serial (string), hw_rev (u8), region (string) and cert (blob, from certs/<id>.pem).
# Each is built twice: "factory" writes per device the NVS binary (device_files), its
# record and marker, the files mfg_gen writes; "full" every output (partition table,
# merged image, flash args, build.json, record, sums). mfg_gen writes the NVS binary
# and a CSV (and the key); it runs once per size and kind, its time in both rows.
# The plain NVS binaries are compared byte for byte with mfg_gen's.
#
# The floor (bench/harness/floor, a program that computes nothing): right after each
# cold factory build, the device folders that build wrote are written again into a new folder
# as espcompose's batch publishes them (a temporary folder per device, files created
# exclusively, one syncfs per group of staged devices, then the renames; the keys it
# created, 0600, for the encrypted case) on $JOBS threads, and the index files:
# "floor" is the least any tool writing those files with that durability costs on this
# disk at that moment, "floor, no flush" the same without syncfs/fsync. For factory
# outputs, "one-file floor" writes only each device's NVS image, as <id>.bin in one
# folder, unflushed: the least any tool writing one file per device costs (mfg_gen
# writes two and flushes nothing); "archive floor" writes every device's NVS image
# into one tar file, flushed once: what one archive per batch would cost (the one-file
# and archive floors write the NVS images only, never the keys). Each floor
# reports its writing time only (the bytes are read into memory first). mfg_gen ÷
# floor is the most a tool writing those files could be faster than mfg_gen in that
# run. The floors go to a second table.
#
# Knobs: SIZES (default "1000 10000"), OUTPUTS (default "factory full"), JOBS (default: nproc), BENCH_OUT (default
# bench/results/batch, ignored by git), MFG_GEN (mfg_gen.py; default $IDF_PATH/tools/mass_mfg/mfg_gen.py),
# NVSGEN_PATH (a folder holding the esp_idf_nvs_partition_gen package, put on
# PYTHONPATH; not needed when it is installed). Results: $BENCH_OUT/results.md.
# Never fails for a missing reference tool: that column is left out.

set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$repo/bench/results/batch}
sizes=${SIZES:-"1000 10000"}
variants=${OUTPUTS:-"factory full"}
jobs=${JOBS:-$(nproc)}
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)
mfg=${MFG_GEN:-${IDF_PATH:-/nonexistent}/tools/mass_mfg/mfg_gen.py}
export PYTHONPATH=${NVSGEN_PATH:-}${PYTHONPATH:+:$PYTHONPATH}

mkdir -p "$out"
results=$out/results.md
say() { printf '%s\n' "$*" | tee -a "$results"; }
: >"$results"

command -v /usr/bin/time >/dev/null || {
	echo "bench/batch.sh needs GNU time (/usr/bin/time -v)" >&2
	exit 1
}
export PATH=/usr/local/go/bin:$PATH
bin=$out/espcompose
(cd "$repo" && go build -o "$bin" ./cmd/espcompose)
floor=$out/floor
(cd "$repo/bench/harness" && go build -o "$floor" ./floor)

have_mfg=0
if [ -f "$mfg" ] && "$py" -c 'import esp_idf_nvs_partition_gen' 2>/dev/null; then
	have_mfg=1
fi

# timed LABEL CMD...: runs CMD under /usr/bin/time -v; prints "seconds max_rss_kb".
timed() {
	local log=$out/time.$$
	if ! /usr/bin/time -v "$@" >"$out/last.out" 2>"$log"; then
		tail -n 20 "$log" "$out/last.out" >&2
		rm -f "$log"
		return 1
	fi
	local wall rss
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" |
		awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
	rm -f "$log"
	echo "$wall $rss"
}

# project DIR N ENCRYPTED OUTPUTS: the manifest, devices.csv and certs/ for N devices,
# and mfg_gen's config.csv and values.csv for the same devices. OUTPUTS "factory"
# writes per device what mfg_gen writes, the NVS partition (output { merged = false,
# device_files = ["partitions/nvs.bin"] }), besides espcompose's record and marker;
# "full" writes every output (merged image, partition table, flash args, build.json,
# SHA256SUMS).
project() {
	local dir=$1 n=$2 enc=$3 outputs=$4
	rm -rf "$dir"
	mkdir -p "$dir/certs"
	cp "$repo/compose/testdata/batch-encrypted-nvs.hcl" "$dir/espcompose.hcl"
	if [ "$enc" = 0 ]; then
		# The same manifest without the key: plain NVS.
		"$py" - "$dir/espcompose.hcl" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r'key "nvs" \{.*?\n\}\n\n', '', s, flags=re.S)
s = s.replace('  encrypt_with = key.nvs\n', '')
open(p, 'w').write(s)
EOF
	fi
	if [ "$outputs" = factory ]; then
		sed -i 's|^output {$|output {\n  merged       = false\n  device_files = ["partitions/nvs.bin"]|' "$dir/espcompose.hcl"
	fi
	"$py" - "$dir" "$n" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
with open(os.path.join(d, 'devices.csv'), 'w') as dev, open(os.path.join(d, 'values.csv'), 'w') as val:
    dev.write('serial,hw_rev,region\n')
    val.write('id,serial,hw_rev,region,cert\n')
    for i in range(1, n + 1):
        s = 'MTR-%06d' % i
        dev.write('%s,%d,eu868\n' % (s, i % 200))
        val.write('%s,%s,%d,eu868,certs/%s.pem\n' % (s, s, i % 200, s))
        with open(os.path.join(d, 'certs', s + '.pem'), 'w') as c:
            c.write('-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' % s)
with open(os.path.join(d, 'config.csv'), 'w') as c:
    c.write('device,namespace,\nserial,data,string\nhw_rev,data,u8\nregion,data,string\ncert,file,binary\n')
EOF
}

say "# Device batch benchmark"
say ""
say "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, --jobs $jobs, $(uname -sr)"
say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$have_mfg" = 1 ]; then
	say "mfg_gen: $mfg ($("$py" --version 2>&1))"
else
	say "mfg_gen: not found (MFG_GEN=$mfg, or esp_idf_nvs_partition_gen not importable); espcompose only"
fi
say ""
say "| devices | NVS | per-device files | espcompose cold | devices/s | peak RSS | no-op rerun | one row changed | mfg_gen | devices/s | peak RSS | mfg_gen ÷ espcompose | floor | mfg_gen ÷ floor |"
say "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
floors=$out/floors.md
{
	echo "| devices | NVS | per-device files | espcompose cold | floor | floor, no flush | one-file floor | archive floor | mfg_gen | mfg_gen ÷ floor | mfg_gen ÷ floor, no flush | mfg_gen ÷ one-file floor | mfg_gen ÷ archive floor |"
	echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$floors"
# ratio A B: A ÷ B as "N.NN×", or – when either is missing.
ratio() { if [ "$1" = – ] || [ "$2" = – ]; then echo –; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; fi; }
secs() { if [ "$1" = – ]; then echo –; else echo "$1 s"; fi; }

for n in $sizes; do
	for enc in 0 1; do
	mt=""
	for outputs in $variants; do
		kind=plain
		[ "$enc" = 1 ] && kind=encrypted
		dir=$out/p$n-$kind-$outputs
		project "$dir" "$n" "$enc" "$outputs"
		read -r cold rss < <(timed "$bin" build -f "$dir/espcompose.hcl" -o "$dir/dist" --jobs "$jobs")
		# The floors, right after the cold build, on the same disk (see the top); for
		# the factory outputs, the equal work (the full trees are 100 KB a device, and
		# the floor holds a tree in memory).
		fl="–" fln="–" flat="–" arch="–"
		if [ "$outputs" = factory ]; then
			keyarg=()
			[ "$enc" = 1 ] && keyarg=("keys=$dir/keys")
			fl=$("$floor" batch "$dir/dist" "$dir/floor-dist" "jobs=$jobs" "${keyarg[@]}")
			fln=$("$floor" batch "$dir/dist" "$dir/floor-nosync-dist" nosync "jobs=$jobs" "${keyarg[@]}")
			flat=$("$floor" flat "$dir/dist" "$dir/floor-flat" "jobs=$jobs")
			arch=$("$floor" archive "$dir/dist" "$dir/floor.tar")
			rm -rf "$dir/floor-dist" "$dir/floor-nosync-dist" "$dir/floor-flat" "$dir/floor.tar"
		fi
		read -r noop _ < <(timed "$bin" build -f "$dir/espcompose.hcl" -o "$dir/dist" --jobs "$jobs")
		grep -q "Up to date" "$out/last.out" || echo "warning: the rerun was not up to date: $(cat "$out/last.out")" >&2
		sed -i 's/^MTR-000002,2,eu868$/MTR-000002,2,us915/' "$dir/devices.csv"
		read -r one _ < <(timed "$bin" build -f "$dir/espcompose.hcl" -o "$dir/dist" --jobs "$jobs")
		grep -q "1 rebuilt" "$out/last.out" || echo "warning: one changed row: $(cat "$out/last.out")" >&2
		rate=$(awk -v n="$n" -v s="$cold" 'BEGIN { printf "%.0f", n / s }')
		mcol="–|–|–|–"
		[ "$have_mfg" = 1 ] || mt="–"
		if [ "$have_mfg" = 1 ]; then
			keyflag=()
			[ "$enc" = 1 ] && keyflag=(--keygen)
			# once per size and NVS kind, after the first espcompose variant
			[ -z "$mt" ] && read -r mt mrss < <(cd "$dir" && timed "$py" "$mfg" generate config.csv values.csv meter 0x4000 --fileid serial --outdir mfg "${keyflag[@]}")
			mrate=$(awk -v n="$n" -v s="$mt" 'BEGIN { printf "%.0f", n / s }')
			ratio=$(awk -v a="$mt" -v b="$cold" 'BEGIN { printf "%.2f×", a / b }')
			mcol="${mt} s|$mrate|$((mrss / 1024)) MB|$ratio"
			if [ "$enc" = 0 ] && [ -d "$dir/mfg" ]; then
				same=0 diff=0
				for i in 1 2 3 $((n / 2)) "$n"; do
					s=$(printf 'MTR-%06d' "$i")
					[ "$i" = 2 ] && continue # its row was changed above
					if cmp -s "$dir/dist/devices/$s/partitions/nvs.bin" "$dir/mfg/bin/meter-$s.bin"; then
						same=$((same + 1))
					else
						diff=$((diff + 1))
					fi
				done
				echo "plain NVS vs mfg_gen ($n devices, $outputs): $same identical, $diff different" >>"$out/compare.txt"
			fi
		fi
		say "| $n | $kind | $outputs | ${cold} s | $rate | $((rss / 1024)) MB | ${noop} s | ${one} s | ${mcol} | $(secs "$fl") | $(ratio "$mt" "$fl") |"
		[ "$outputs" = factory ] && echo "| $n | $kind | $outputs | ${cold} s | ${fl} s | ${fln} s | $(secs "$flat") | $(secs "$arch") | $(secs "$mt") | $(ratio "$mt" "$fl") | $(ratio "$mt" "$fln") | $(ratio "$mt" "$flat") | $(ratio "$mt" "$arch") |" >>"$floors"
		rm -rf "$dir"
	done
	done
done
say ""
say "Floors (seconds of writing only; see the top of bench/batch.sh):"
say ""
tee -a "$results" <"$floors"
rm -f "$floors"
say ""
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$out/compare.txt" ] && { say ""; cat "$out/compare.txt" | tee -a "$results"; rm -f "$out/compare.txt"; }
say ""
say "mfg_gen ÷ espcompose is mfg_gen's wall time over espcompose's cold build: above 1, espcompose is faster."
say "mfg_gen ÷ floor is mfg_gen's wall time over the time of merely writing espcompose's per-device files"
say "with espcompose's durability: the most any tool writing them could reach against mfg_gen in this run."
