#!/usr/bin/env bash
# What the quickstart example takes with Espressif's own tools: a partition table,
# an otadata sector that boots ota_0, a check of the app's header, and the merged
# image (binary and Intel HEX) with the flash settings written into the bootloader.
#
# usage: pipeline.sh EXAMPLE_DIR OUT_DIR   (tools from $ESPTOOL, $GEN_ESP32PART)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common.sh"
ex=$1 out=$2
mkdir -p "$out"

run "$GEN_ESP32PART" --quiet --flash-size 4MB "$here/partitions.csv" "$out/partition-table.bin"
otadata "$out/otadata.bin" 1
run "$ESPTOOL" --chip esp32c3 image_info --version 2 "$ex/images/app.bin"
for fmt in raw hex; do
	ext=bin
	[ "$fmt" = hex ] && ext=hex
	run "$ESPTOOL" --chip esp32c3 merge_bin --format "$fmt" -o "$out/quickstart-factory.$ext" \
		-fm dio -ff 80m -fs 4MB \
		0x0 "$ex/images/bootloader.bin" 0x8000 "$out/partition-table.bin" \
		0xf000 "$out/otadata.bin" 0x20000 "$ex/images/app.bin"
done
