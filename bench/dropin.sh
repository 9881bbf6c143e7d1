#!/usr/bin/env bash
# Runs a real script written for Espressif's tools, bench/ref/secure-production/
# pipeline.sh, twice: with the Python tools, and with espcompose's drop-ins linked
# first on PATH (espcompose links DIR). Checks that both runs produce the same files,
# and times them. Signatures (RSA-PSS, random salt in espsecure) cannot be equal: for
# the signed and encrypted files the signature is verified instead and every other
# byte is compared.
#
# usage: bench/dropin.sh            (needs go; the Python tools as for bench/run.sh:
#                                    ESPTOOL, ESPSECURE, GEN_ESP32PART, NVS_PARTITION_GEN
#                                    or on PATH / importable; without them only the
#                                    drop-in run is made and checked)
# Knobs: RUNS (timed runs, default 5), BENCH_OUT (default bench/out/dropin).
# Exit status: 0 when the outputs match (or only the drop-in run was possible and it
# verified), 1 when they differ.

set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$repo/bench/out}/dropin
runs=${RUNS:-5}
rm -rf "$out" && mkdir -p "$out/bin" || exit 1

(cd "$repo" && go build -o "$out/bin/espcompose" ./cmd/espcompose) || exit 1
"$out/bin/espcompose" links "$out/links" >/dev/null || exit 1
ex=$repo/examples/secure-production
pipeline=$repo/bench/ref/secure-production/pipeline.sh

py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)
idf=${IDF_PATH:-/nonexistent}
pick() { # VAR candidates...: first command string that answers --help
	local var=$1 cand
	shift
	if [ -n "${!var:-}" ]; then return 0; fi
	for cand in "$@"; do
		# shellcheck disable=SC2086
		if [ -n "$cand" ] && $cand --help >/dev/null 2>&1; then
			printf -v "$var" '%s' "$cand"
			return 0
		fi
	done
	return 1
}
have_py=1
# The drop-ins' own links must not be picked up as the reference.
PATH_NO_LINKS=$PATH
pick REF_ESPTOOL "$py -m esptool" || have_py=0
pick REF_ESPSECURE "$py -m espsecure" || have_py=0
pick REF_GEN_ESP32PART "$py $idf/components/partition_table/gen_esp32part.py" || have_py=0
pick REF_NVS_PARTITION_GEN "$py -m esp_idf_nvs_partition_gen" || have_py=0
REF_ESPTOOL=${ESPTOOL:-${REF_ESPTOOL:-}}
REF_ESPSECURE=${ESPSECURE:-${REF_ESPSECURE:-}}
REF_GEN_ESP32PART=${GEN_ESP32PART:-${REF_GEN_ESP32PART:-}}
REF_NVS_PARTITION_GEN=${NVS_PARTITION_GEN:-${REF_NVS_PARTITION_GEN:-}}
[ -n "$REF_ESPTOOL" ] && [ -n "$REF_ESPSECURE" ] && [ -n "$REF_GEN_ESP32PART" ] && [ -n "$REF_NVS_PARTITION_GEN" ] && have_py=1

run_py() {
	env PATH="$PATH_NO_LINKS" ESPTOOL="$REF_ESPTOOL" ESPSECURE="$REF_ESPSECURE" \
		GEN_ESP32PART="$REF_GEN_ESP32PART" NVS_PARTITION_GEN="$REF_NVS_PARTITION_GEN" \
		bash "$pipeline" "$ex" "$1"
}
run_dropin() {
	env PATH="$out/links:$PATH_NO_LINKS" ESPTOOL=esptool.py ESPSECURE=espsecure.py \
		GEN_ESP32PART=gen_esp32part.py NVS_PARTITION_GEN=nvs_partition_gen.py \
		bash "$pipeline" "$ex" "$1"
}

time_it() { # label command...
	local label=$1 i t0 t1 total=0
	shift
	for ((i = 0; i < runs; i++)); do
		rm -rf "$out/t"
		t0=$(date +%s%N)
		"$@" "$out/t" >/dev/null 2>&1 || { echo "$label: run failed"; return 1; }
		t1=$(date +%s%N)
		total=$((total + t1 - t0))
	done
	awk -v l="$label" -v t="$total" -v n="$runs" 'BEGIN { printf "%-38s %8.1f ms (mean of %d)\n", l, t / n / 1e6, n }'
}

run_dropin "$out/dropin" || { echo "drop-in pipeline failed"; exit 1; }
L=$out/links
key=$ex/keys/secure_boot_signing_key.pem
fkey=$ex/keys/flash_encryption_key.bin
status=0
check_signed() { # DIR FILE: the V2 signature verifies with the example's key
	"$L/espsecure.py" verify_signature -v 2 -k "$key" "$1/$2" >/dev/null ||
		{ echo "FAIL: $1/$2 does not verify"; status=1; }
}
for f in bl.signed app.signed; do check_signed "$out/dropin" "$f"; done

if [ "$have_py" != 1 ]; then
	echo "Python reference tools not found: the drop-in run was made and its signatures verified;"
	echo "nothing to compare it with (set ESPTOOL, ESPSECURE, GEN_ESP32PART, NVS_PARTITION_GEN)."
	time_it "secure-production pipeline, drop-ins" run_dropin
	exit $status
fi

run_py "$out/py" || { echo "Python pipeline failed"; exit 1; }
for f in bl.signed app.signed; do check_signed "$out/py" "$f"; done

# same_but_sig A B: equal except the last 4 KB (the signature sector), whose blocks
# were each verified above.
same_but_sig() {
	local a=$1 b=$2 n
	n=$(($(stat -c %s "$a") - 4096))
	if [ "$(stat -c %s "$a")" != "$(stat -c %s "$b")" ] || ! cmp -s -n "$n" "$a" "$b"; then
		echo "FAIL: $a and $b differ before the signature sector"; status=1
	fi
}
for f in pt.bin otadata.bin nvs.bin bl.bin pt.enc otadata.enc nvs_keys.enc; do
	if ! cmp -s "$out/py/$f" "$out/dropin/$f"; then echo "FAIL: $f differs"; status=1; else echo "same: $f"; fi
done
for f in bl.signed app.signed; do same_but_sig "$out/py/$f" "$out/dropin/$f" && echo "same but signature (verified): $f"; done
# Encrypted signed images: decrypt both and compare as above.
for pair in "bl.enc 0x0" "app.enc 0x20000"; do
	set -- $pair
	for d in py dropin; do
		"$L/espsecure.py" decrypt_flash_data -x -k "$fkey" -a "$2" -o "$out/$d/$1.plain" "$out/$d/$1" >/dev/null
	done
	same_but_sig "$out/py/$1.plain" "$out/dropin/$1.plain" && echo "same but signature (verified): $1"
done
# The factory image: every byte outside the bootloader and app regions equal, and
# those regions are each run's own encrypted images.
fac=sensor-node-factory.bin
if [ "$(stat -c %s "$out/py/$fac")" != "$(stat -c %s "$out/dropin/$fac")" ]; then
	echo "FAIL: $fac sizes differ"; status=1
else
	for d in py dropin; do
		blen=$(stat -c %s "$out/$d/bl.enc")
		alen=$(stat -c %s "$out/$d/app.enc")
		cmp -s -n "$blen" "$out/$d/$fac" "$out/$d/bl.enc" || { echo "FAIL: $d $fac bootloader region"; status=1; }
		cmp -s -n "$alen" <(tail -c +$((0x20000 + 1)) "$out/$d/$fac") "$out/$d/app.enc" || { echo "FAIL: $d $fac app region"; status=1; }
		{ tail -c +$((blen + 1)) "$out/$d/$fac" | head -c $((0x20000 - blen)); tail -c +$((0x20000 + alen + 1)) "$out/$d/$fac"; } >"$out/$d/$fac.rest"
	done
	cmp -s "$out/py/$fac.rest" "$out/dropin/$fac.rest" && echo "same outside the signed regions: $fac" || { echo "FAIL: $fac differs"; status=1; }
fi

time_it "secure-production pipeline, Python" run_py
time_it "secure-production pipeline, drop-ins" run_dropin
[ $status = 0 ] && echo "OK: the drop-ins produce the Python tools' files (signatures verified)"
exit $status
