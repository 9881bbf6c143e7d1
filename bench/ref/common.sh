# Shared by the reference pipelines: runs a tool given as a command string
# (e.g. "python3 -m esptool"), quietly, failing loudly.

set -euo pipefail

run() {
	local tool=$1
	shift
	local log
	log=$(mktemp)
	# Word splitting of the tool string is intended: it may be "python3 -m esptool".
	# shellcheck disable=SC2086
	if ! $tool "$@" >"$log" 2>&1; then
		printf 'reference step failed: %s %s\n' "$tool" "$*" >&2
		tail -n 20 "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}

# otadata writes the two-sector OTA data partition. ota_seq is 0 for a blank
# partition (the bootloader then boots the first OTA slot or factory), else the
# sequence number selecting slot (ota_seq-1) % slots, with ESP-IDF's CRC over it.
otadata() {
	python3 - "$1" "$2" <<'PY'
import binascii, struct, sys
out, seq = sys.argv[1], int(sys.argv[2])
data = bytearray(b"\xff" * 0x2000)
if seq:
    entry = struct.pack("<I", seq) + b"\xff" * 20 + b"\xff" * 4
    crc = binascii.crc32(struct.pack("<I", seq), 0xFFFFFFFF) & 0xFFFFFFFF
    data[0:32] = entry[:28] + struct.pack("<I", crc)
open(out, "wb").write(bytes(data))
PY
}
