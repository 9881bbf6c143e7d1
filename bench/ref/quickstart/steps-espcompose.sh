#!/usr/bin/env bash
# pipeline.sh again, step for step, with espcompose's esptool-compatible subcommands
# instead of Espressif's tools: the same number of processes, so the difference to
# pipeline.sh is the tools' own cost, not the orchestration.
#
# usage: steps-espcompose.sh EXAMPLE_DIR OUT_DIR   (binary from $ESPCOMPOSE)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common.sh"
ex=$1 out=$2
mkdir -p "$out"

run "$ESPCOMPOSE" partition-table encode --flash-size 4MB "$here/partitions.csv" "$out/partition-table.bin"
otadata "$out/otadata.bin" 1
run "$ESPCOMPOSE" image info --chip esp32c3 --version 2 "$ex/images/app.bin"
for fmt in raw hex; do
	ext=bin
	[ "$fmt" = hex ] && ext=hex
	run "$ESPCOMPOSE" merge --chip esp32c3 --format "$fmt" -o "$out/quickstart-factory.$ext" \
		--flash-mode dio --flash-freq 80m --flash-size 4MB \
		0x0 "$ex/images/bootloader.bin" 0x8000 "$out/partition-table.bin" \
		0xf000 "$out/otadata.bin" 0x20000 "$ex/images/app.bin"
done
