package main

import "github.com/spf13/cobra"

// helpExamples are the Example sections of `--help`, by command path (without the
// program name; "" is the root). They live in one place so they read as a set and
// stay in one style; a command may instead set its own Example next to its
// definition (fmt, init do). TestEveryCommandHasExamples fails on a command with
// none, and TestHelpExamplesParse parses each line against the command it names.
var helpExamples = map[string]string{
	"": `  espcompose init                        # a commented starter espcompose.hcl
  espcompose validate                    # check espcompose.hcl and every file it reads
  espcompose plan                        # the flash map and the stages, nothing written
  espcompose build                       # the images into dist/
  espcompose build -f product.hcl -o out --var app_version=1.2.0
  espcompose inspect dist/factory.bin    # read a flash image back
  espcompose validate --json             # one JSON object on stdout (docs/json.md)`,

	"key": `  espcompose key generate --algorithm ecdsa-p256 sb_key.pem
  espcompose key public --key sb_key.pem sb_pub.pem`,

	"key generate": `  espcompose key generate --algorithm rsa-3072 secure_boot_signing_key.pem
  espcompose key generate --algorithm xts-aes-256 flash_key.bin   # random, mode 0600, never over a file`,

	"key public": `  espcompose key public --key secure_boot_signing_key.pem pub.pem
  espcompose key public --version 1 --key sbv1_key.pem pub.bin     # Secure Boot V1 raw X||Y`,

	"key derive": `  espcompose key derive --device MTR-000101 flash flash_key.bin    # mode 0600, never over a file
  espcompose key derive -f line.hcl -var batch=7 --device MTR-000101 flash /tmp/k/key.bin`,

	"key bootloader-digest": `  espcompose key bootloader-digest --key sbv1_key.bin bootloader.bin digest.bin
  espcompose key bootloader-digest --key sbv1_key.bin --random-iv bootloader.bin digest.bin`,

	"links": `  espcompose links ~/bin                 # espsecure.py, esptool.py, ... pointing at this binary
  espcompose links --target /usr/local/bin/espcompose tools/`,

	"devices": `  espcompose devices merge dist shard-1 shard-2 shard-3
  espcompose build --shard 2/3 -o shard-2      # one shard of a devices batch`,

	"devices merge": `  espcompose devices merge dist shard-1 shard-2 shard-3   # one tree, devices.json and SHA256SUMS
  espcompose devices merge --json dist out/shard-*`,

	"cache": `  espcompose cache prune --max-size 500MiB
  espcompose cache prune --older-than 720h`,

	"cache prune": `  espcompose cache prune                       # objects no build record references
  espcompose cache prune --max-size 1GiB       # then the least recently used, down to 1 GiB
  espcompose cache prune --older-than 168h`,

	"version": `  espcompose version
  espcompose --version
  espcompose version --json              # {"version": "..."}`,

	"validate": `  espcompose validate
  espcompose validate -f product.hcl --var app_version=1.2.0
  espcompose validate --json             # {"valid": ..., "diagnostics": [...]}, exit 2 when invalid
  NO_COLOR=1 espcompose validate         # diagnostics without colour`,

	"plan": `  espcompose plan
  espcompose plan --device MTR-000101    # one device of a devices block
  espcompose plan --json                 # the flash map and stages as JSON
  espcompose plan --dot | dot -Tsvg > stages.svg`,

	"build": `  espcompose build
  espcompose build -f product.hcl -o dist/release --var app_version=1.2.0
  espcompose build --json > build.json   # the result as one JSON object
  espcompose build --signatures signed/  # second phase of offline signing
  SOURCE_DATE_EPOCH=1700000000 espcompose build --no-verify`,

	"inspect": `  espcompose inspect dist/factory.bin
  espcompose inspect --key flash_key.bin dump.bin     # decrypt an encrypted read-back
  espcompose inspect --as nvs --address 0x9000 nvs.bin
  espcompose inspect --json dist/factory.bin | jq .findings`,

	"diff": `  espcompose diff examples/release/v1 examples/release/v2
  espcompose diff dist/v1 espcompose.hcl               # a past build against the manifest
  espcompose diff --json old/ new/ > changes.json
  espcompose diff --format markdown old/ new/ >> "$GITHUB_STEP_SUMMARY"`,

	"doctor": `  espcompose doctor                      # check espcompose.hcl
  espcompose doctor dist/                # check a build directory
  espcompose doctor --flash-size 4MB --flash-mode dio readback.bin
  espcompose doctor --json --key flash_key.bin readback.bin`,

	"lock": `  espcompose lock                        # write espcompose.lock
  espcompose lock --update               # accept a changed layout
  espcompose lock --json`,

	"sign-request": `  espcompose sign-request -o request.json
  espcompose sign-digest --key signing.pem digest.bin sig.bin   # what the signing service does
  espcompose build --signatures signed/`,

	"sign-digest": `  espcompose sign-digest --key signing.pem app.digest app.sig`,

	"partition-table": `  espcompose partition-table encode partitions.csv partition-table.bin
  espcompose partition-table decode partition-table.bin`,

	"partition-table encode": `  espcompose partition-table encode partitions.csv partition-table.bin
  espcompose partition-table encode --flash-size 8MB --offset 0x9000 partitions.csv pt.bin`,

	"partition-table decode": `  espcompose partition-table decode partition-table.bin            # CSV on stdout
  espcompose partition-table decode partition-table.bin partitions.csv`,

	"image": `  espcompose image info build/app.bin
  espcompose image build app.bin --chip esp32c3 --project demo --version 1.0.0`,

	"image info": `  espcompose image info build/app.bin
  espcompose image info --json build/bootloader/bootloader.bin`,

	"image build": `  espcompose image build app.bin --chip esp32c3 --project demo --version 1.0.0
  espcompose image build bootloader.bin --chip esp32s3 --bootloader`,

	"merge": `  espcompose merge -o merged.bin --chip esp32c3 0x0 bootloader.bin 0x8000 pt.bin 0x10000 app.bin
  espcompose merge -o merged.hex --format hex --chip esp32 0x1000 bootloader.bin 0x10000 app.bin
  espcompose merge -o full.bin --chip esp32c3 --fill-flash-size 4MB 0x0 bootloader.bin`,

	"nvs": `  espcompose nvs encode nvs.csv nvs.bin --size 0x6000
  espcompose nvs decode nvs.bin`,

	"nvs encode": `  espcompose nvs encode nvs.csv nvs.bin --size 0x6000
  espcompose nvs encode nvs.csv nvs.bin --size 0x6000 --keyfile nvs_keys.bin   # encrypted
  espcompose nvs encode nvs.csv nvs.bin --size 0x6000 --hmac-key hmac.bin      # HMAC scheme`,

	"nvs decode": `  espcompose nvs decode nvs.bin
  espcompose nvs decode nvs.bin --keyfile nvs_keys.bin --json`,

	"nvs keygen": `  espcompose nvs keygen nvs_keys.bin
  espcompose nvs keygen nvs_keys.bin --hmac-key hmac.bin`,

	"encrypt": `  espcompose encrypt --chip esp32c3 --key flash_key.bin --address 0x10000 app.bin app.enc
  espcompose encrypt --chip esp32 --key flash_key.bin --address 0x1000 --flash-crypt-conf 0xF bootloader.bin bl.enc`,

	"decrypt": `  espcompose decrypt --chip esp32c3 --key flash_key.bin --address 0x10000 app.enc app.bin`,

	"sign": `  espcompose sign --version 2 --key signing.pem app.bin app-signed.bin
  espcompose sign --version 2 --key k1.pem --key k2.pem app.bin app-signed.bin
  espcompose sign --version 1 --key signing.pem bootloader.bin bootloader-signed.bin`,

	"verify": `  espcompose verify --version 2 --key signing_pub.pem app-signed.bin
  espcompose verify --version 1 --key signing.pem --json bootloader-signed.bin`,

	"digest-pubkey": `  espcompose digest-pubkey --key signing.pem digest.bin
  espcompose digest-pubkey --version 1 --key signing.pem secure_boot_key.bin`,

	"fs": `  espcompose fs build --type spiffs --size 0x100000 www/ spiffs.bin
  espcompose fs ls spiffs.bin
  espcompose fs extract fat.bin out/`,

	"fs build": `  espcompose fs build --type spiffs --size 0x100000 www/ spiffs.bin
  espcompose fs build --type fat --size detect config/ fat.bin
  espcompose fs build --type wl-fat --size 1M --long-names data/ storage.bin`,

	"fs ls": `  espcompose fs ls spiffs.bin
  espcompose fs ls --type wl-fat --json storage.bin`,

	"fs extract": `  espcompose fs extract spiffs.bin www-out/
  espcompose fs extract --type fat fat.bin config-out/`,
}

// applyHelpExamples gives each command without an Example its entry of helpExamples.
func applyHelpExamples(c *cobra.Command) {
	if ex, ok := helpExamples[commandName(c.CommandPath())]; ok && c.Example == "" {
		c.Example = ex
	}
	for _, sub := range c.Commands() {
		applyHelpExamples(sub)
	}
}
