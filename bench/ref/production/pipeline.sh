#!/usr/bin/env bash
# What bench/examples/production (and, with FLASH_SIZE=16MB, production-16mb) takes
# with Espressif's own tools: flash settings into the bootloader header, an encrypted
# NVS partition, XTS-AES flash encryption of every region that needs it, and the merged
# image with every header kept as it is, filled to the flash size.
#
# usage: pipeline.sh EXAMPLE_DIR OUT_DIR
#        (tools from $ESPTOOL, $ESPSECURE, $GEN_ESP32PART, $NVS_PARTITION_GEN;
#         FLASH_SIZE 4MB or 16MB, PARTITIONS the table CSV, NAME the merged image's name)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common.sh"
ex=$1 out=$2
fs=${FLASH_SIZE:-4MB} csv=${PARTITIONS:-$here/partitions.csv} name=${NAME:-production}
mkdir -p "$out"
flash_key=$ex/keys/flash_encryption_key.bin

run "$GEN_ESP32PART" --quiet --flash-size "$fs" "$csv" "$out/pt.bin"
otadata "$out/otadata.bin" 0
run "$ESPTOOL" --chip esp32c3 image_info --version 2 "$ex/images/app.bin"
# The NVS CSV names certs/ca.crt relative to the example.
(cd "$ex" && run "$NVS_PARTITION_GEN" encrypt "$here/nvs.csv" "$out/nvs.bin" 0x6000 \
	--inputkey "$ex/keys/nvs_keys.bin")

# Flash settings go into the bootloader header (and its appended SHA-256) first.
run "$ESPTOOL" --chip esp32c3 merge_bin -o "$out/bl.bin" -fm dio -ff 80m -fs "$fs" 0x0 "$ex/images/bootloader.bin"

enc() { run "$ESPSECURE" encrypt_flash_data -x -k "$flash_key" -a "$1" -o "$out/$3" "$2"; }
enc 0x0 "$out/bl.bin" bl.enc
enc 0x8000 "$out/pt.bin" pt.enc
enc 0xf000 "$out/otadata.bin" otadata.enc
enc 0x12000 "$ex/keys/nvs_keys.bin" nvs_keys.enc
enc 0x20000 "$ex/images/app.bin" app.enc

run "$ESPTOOL" --chip esp32c3 merge_bin -o "$out/$name-factory.bin" --fill-flash-size "$fs" \
	0x0 "$out/bl.enc" 0x8000 "$out/pt.enc" 0x9000 "$out/nvs.bin" 0xf000 "$out/otadata.enc" \
	0x12000 "$out/nvs_keys.enc" 0x20000 "$out/app.enc"
