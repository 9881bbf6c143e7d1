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

# otadata writes the two-sector OTA data partition: blank (seq 0: the bootloader
# boots the first OTA slot) or seq 1 (boot ota_0). No Python, so this step costs the
# same in both pipelines. 9a 98 43 47 is ESP-IDF's CRC of seq 1
# (crc32_le(UINT32_MAX, le32(1)), Python: binascii.crc32(b"\x01\0\0\0", 0xffffffff)).
otadata() {
	local file=$1 seq=$2 fill=8192
	{
		case $seq in
		0) ;;
		1)
			printf '\001\000\000\000'
			ff 24
			printf '\232\230\103\107'
			fill=$((8192 - 32))
			;;
		*)
			echo "otadata: only seq 0 or 1" >&2
			return 1
			;;
		esac
		ff "$fill"
	} >"$file"
}

ff() { head -c "$1" /dev/zero | tr '\000' '\377'; }
