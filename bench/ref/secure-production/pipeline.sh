#!/usr/bin/env bash
# What the secure-production example takes with Espressif's own tools: flash
# settings into the bootloader header, Secure Boot V2 signatures (RSA-3072) on the
# bootloader and app, an encrypted NVS partition, XTS-AES flash encryption of every
# region that needs it, and the merged image with every header kept as it is.
#
# usage: pipeline.sh EXAMPLE_DIR OUT_DIR
#        (tools from $ESPTOOL, $ESPSECURE, $GEN_ESP32PART, $NVS_PARTITION_GEN)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common.sh"
ex=$1 out=$2
mkdir -p "$out"
flash_key=$ex/keys/flash_encryption_key.bin
sb_key=$ex/keys/secure_boot_signing_key.pem

run "$GEN_ESP32PART" --quiet --flash-size 4MB --secure v2 "$here/partitions.csv" "$out/pt.bin"
otadata "$out/otadata.bin" 0
run "$ESPTOOL" --chip esp32c3 image_info --version 2 "$ex/images/app.bin"
# The NVS CSV names certs/ca.crt relative to the example.
(cd "$ex" && run "$NVS_PARTITION_GEN" encrypt "$here/nvs.csv" "$out/nvs.bin" 0x6000 \
	--inputkey "$ex/keys/nvs_keys.bin")

# Flash settings go into the bootloader header before it is signed.
run "$ESPTOOL" --chip esp32c3 merge_bin -o "$out/bl.bin" -fm dio -ff 80m -fs 4MB 0x0 "$ex/images/bootloader.bin"
run "$ESPSECURE" sign_data -v 2 -k "$sb_key" -o "$out/bl.signed" "$out/bl.bin"
run "$ESPSECURE" sign_data -v 2 -k "$sb_key" -o "$out/app.signed" "$ex/images/app.bin"

enc() { run "$ESPSECURE" encrypt_flash_data -x -k "$flash_key" -a "$1" -o "$out/$3" "$2"; }
enc 0x0 "$out/bl.signed" bl.enc
enc 0x8000 "$out/pt.bin" pt.enc
enc 0xf000 "$out/otadata.bin" otadata.enc
enc 0x12000 "$ex/keys/nvs_keys.bin" nvs_keys.enc
enc 0x20000 "$out/app.signed" app.enc

run "$ESPTOOL" --chip esp32c3 merge_bin -o "$out/sensor-node-factory.bin" \
	0x0 "$out/bl.enc" 0x8000 "$out/pt.enc" 0x9000 "$out/nvs.bin" 0xf000 "$out/otadata.enc" \
	0x12000 "$out/nvs_keys.enc" 0x20000 "$out/app.enc"
