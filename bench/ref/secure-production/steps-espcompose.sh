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
flash_key=$ex/keys/flash_encryption_key.bin
sb_key=$ex/keys/secure_boot_signing_key.pem

run "$ESPCOMPOSE" partition-table encode --flash-size 4MB --secure v2 "$here/partitions.csv" "$out/pt.bin"
otadata "$out/otadata.bin" 0
run "$ESPCOMPOSE" image info --chip esp32c3 --version 2 "$ex/images/app.bin"
# espcompose resolves "file" rows relative to the CSV, so the CSV goes beside certs/.
cp "$here/nvs.csv" "$out/nvs.csv"
ln -sfn "$ex/certs" "$out/certs"
run "$ESPCOMPOSE" nvs encode --size 0x6000 --keyfile "$ex/keys/nvs_keys.bin" "$out/nvs.csv" "$out/nvs.bin"

run "$ESPCOMPOSE" merge --chip esp32c3 -o "$out/bl.bin" --flash-mode dio --flash-freq 80m --flash-size 4MB \
	0x0 "$ex/images/bootloader.bin"
run "$ESPCOMPOSE" sign --version 2 --key "$sb_key" "$out/bl.bin" "$out/bl.signed"
run "$ESPCOMPOSE" sign --version 2 --key "$sb_key" "$ex/images/app.bin" "$out/app.signed"

enc() { run "$ESPCOMPOSE" encrypt --chip esp32c3 --key "$flash_key" --address "$1" "$2" "$out/$3"; }
enc 0x0 "$out/bl.signed" bl.enc
enc 0x8000 "$out/pt.bin" pt.enc
enc 0xf000 "$out/otadata.bin" otadata.enc
enc 0x12000 "$ex/keys/nvs_keys.bin" nvs_keys.enc
enc 0x20000 "$out/app.signed" app.enc

run "$ESPCOMPOSE" merge --chip esp32c3 -o "$out/sensor-node-factory.bin" \
	0x0 "$out/bl.enc" 0x8000 "$out/pt.enc" 0x9000 "$out/nvs.bin" 0xf000 "$out/otadata.enc" \
	0x12000 "$out/nvs_keys.enc" 0x20000 "$out/app.enc"
