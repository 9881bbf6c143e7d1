package qemutest

import (
	"encoding/binary"
)

// device is an emulated chip: its QEMU machine, its eFuse file layout and the public
// ESP-IDF build outputs known to boot on it.
type device struct {
	chip        string // target.chip
	machine     string // qemu -machine
	qemuEnv     string
	efuseDriver string // QEMU device whose "drive" property takes the eFuse file
	flashFreq   string
	keyAlgo     string // flash encryption key algorithm
	secureBoot  bool   // Secure Boot V2 (RSA-3072) is tested

	blEnv, appEnv, offEnv     string
	feBlEnv, feAppEnv, feOffE string // optional inputs for the encrypted boot

	knownBL, knownApp, knownFEBL, knownFEApp []known

	efuse func(fuses) []byte
}

// fuses is what a test device has burned.
type fuses struct {
	flashKey []byte // flash encryption key, with encryption enabled (development mode)
	sbDigest []byte // Secure Boot V2 key digest, with secure boot enabled
}

// known is a public ESP-IDF build output the tests know how to use. The bootloader's
// partition table offset is compiled in (CONFIG_PARTITION_TABLE_OFFSET), so the
// manifest must put the table where the bootloader looks.
type known struct {
	sha256      string
	source      string
	tableOffset uint32   // bootloaders only
	markers     []string // app prints that must appear when it runs
}

var devices = []*device{esp32c3, esp32}

var esp32c3 = &device{
	chip: "esp32c3", machine: "esp32c3", qemuEnv: "ESPCOMPOSE_QEMU_RISCV32",
	efuseDriver: "nvram.esp32c3.efuse", flashFreq: "80m", keyAlgo: "xts-aes-128", secureBoot: true,
	blEnv: "ESPCOMPOSE_QEMU_C3_BOOTLOADER", appEnv: "ESPCOMPOSE_QEMU_C3_APP", offEnv: "ESPCOMPOSE_QEMU_C3_TABLE_OFFSET",
	feBlEnv: "ESPCOMPOSE_QEMU_C3_FE_BOOTLOADER", feAppEnv: "ESPCOMPOSE_QEMU_C3_FE_APP", feOffE: "ESPCOMPOSE_QEMU_C3_FE_TABLE_OFFSET",
	knownBL: []known{{
		sha256:      "2c1f59352d0ca772e4a49fc5aa4d25853f061b6d559f53ca53bf81a6599974ad",
		source:      "github.com/QGB/esp32c3-idf-hello_world@5b95ea3 build/bootloader/bootloader.bin (ESP-IDF v4.4, logs at INFO)",
		tableOffset: 0x8000,
	}},
	knownApp: []known{{
		sha256: "38bbe397939a7e8ca11ce56b1f00b96a9fe703973cdf2cafe0bfa8042edb008f",
		source: "github.com/QGB/esp32c3-idf-hello_world@5b95ea3 build/hello_world.bin (ESP-IDF v4.4)",
	}},
	knownFEBL: []known{{
		sha256:      "a8bd795ef12ed297aca5c53d16fbf1070559dae57d9043795417bd0ee4a186ea",
		source:      "github.com/vAnArhist/esp-flash-encryption-test@83cdfc7 flash_encryption/build/bootloader/bootloader.bin (ESP-IDF v5.1.2, flash encryption in development mode, log level none)",
		tableOffset: 0x9000,
	}},
	knownFEApp: []known{{
		sha256: "13379d76a6eb645e95e89ab4197acc99f554684a47582d8aba91efba8efdb8d3",
		source: "github.com/vAnArhist/esp-flash-encryption-test@83cdfc7 flash_encryption/build/flash_encryption.bin (ESP-IDF v5.1.2 flash_encryption example)",
		markers: []string{
			"FLASH_CRYPT_CNT eFuse value is 1",
			"Flash encryption feature is enabled in DEVELOPMENT mode",
		},
	}},
	efuse: efuseESP32C3,
}

var esp32 = &device{
	chip: "esp32", machine: "esp32", qemuEnv: "ESPCOMPOSE_QEMU_XTENSA",
	efuseDriver: "nvram.esp32.efuse", flashFreq: "40m", keyAlgo: "aes-256",
	blEnv: "ESPCOMPOSE_QEMU_ESP32_BOOTLOADER", appEnv: "ESPCOMPOSE_QEMU_ESP32_APP", offEnv: "ESPCOMPOSE_QEMU_ESP32_TABLE_OFFSET",
	knownBL: []known{{
		sha256:      "3a3b8546d16983b87d46563f688e98c2c8d7861f114260a69dff85c0bd62f49a",
		source:      "github.com/ErisdarDemo/esp32_hello_world@d344f49 build/bootloader/bootloader.bin (ESP-IDF v5.1.2, logs at INFO)",
		tableOffset: 0x8000,
	}},
	knownApp: []known{{
		sha256:  "abbbf51f99add66a257563c57446099812a2f074dd90db65b876b1460abcd5d8",
		source:  "github.com/ErisdarDemo/esp32_hello_world@d344f49 build/hello_world.bin (ESP-IDF v5.1.2 hello_world)",
		markers: []string{"Hello world!"},
	}},
	efuse: efuseESP32,
}

// QEMU's esp32c3 eFuse file is the read registers from EFUSE_RD_WR_DIS onwards:
// BLOCK0 (wr_dis and five repeat words), BLOCK1, BLOCK2, BLOCK3, KEY0..KEY5, BLOCK10.
const (
	c3Repeat0      = 4  // RD_DIS in bits 0..6
	c3Repeat1      = 8  // SPI_BOOT_CRYPT_CNT bits 18..20, KEY_PURPOSE_0/1 bits 24..31
	c3Repeat2      = 12 // SECURE_BOOT_EN bit 20
	c3MacSys3      = 36 // WAFER_VERSION_MINOR_LO bits 18..20
	c3Key0         = 112
	c3KeyLen       = 32
	c3FileSize     = 1024
	purposeXTS128  = 4
	purposeSBDig0  = 9
	chipRevMinorV3 = 3
)

// efuseESP32C3 is a chip revision v0.3 device (what QEMU assumes when given no file)
// holding what the build's efuse-plan.sh burns, in its block order:
// `burn_key BLOCK_KEY0 key XTS_AES_128_KEY` (stored byte-reversed, read-protected),
// `burn_key_digest BLOCK_KEY<n> pub SECURE_BOOT_DIGEST0`, SPI_BOOT_CRYPT_CNT = 1 and
// SECURE_BOOT_EN.
func efuseESP32C3(f fuses) []byte {
	e := make([]byte, c3FileSize)
	or32 := func(off int, v uint32) {
		binary.LittleEndian.PutUint32(e[off:], binary.LittleEndian.Uint32(e[off:])|v)
	}
	or32(c3MacSys3, chipRevMinorV3<<18)
	block := 0
	if f.flashKey != nil {
		or32(c3Repeat1, 1<<18|purposeXTS128<<(24+4*block))
		or32(c3Repeat0, 1<<block)
		copy(e[c3Key0+c3KeyLen*block:], reversed(f.flashKey))
		block++
	}
	if f.sbDigest != nil {
		or32(c3Repeat1, purposeSBDig0<<(24+4*block))
		or32(c3Repeat2, 1<<20)
		copy(e[c3Key0+c3KeyLen*block:], f.sbDigest)
	}
	return e
}

// QEMU's esp32 eFuse file is BLOCK0 (7 words), BLOCK1, BLOCK2, BLOCK3.
const (
	e32Word0    = 0  // RD_DIS_BLK1 bit 16, FLASH_CRYPT_CNT bits 20..26
	e32Word5    = 20 // FLASH_CRYPT_CONFIG bits 28..31
	e32Block1   = 28
	e32FileSize = 124
)

// efuseESP32 holds what efuse-plan.sh burns on an ESP32: `burn_key flash_encryption`
// (stored byte-reversed in BLOCK1, read-protected), FLASH_CRYPT_CONFIG 0xF and
// FLASH_CRYPT_CNT 1. QEMU emulates only FLASH_CRYPT_CONFIG 0xF.
func efuseESP32(f fuses) []byte {
	e := make([]byte, e32FileSize)
	if f.flashKey != nil {
		binary.LittleEndian.PutUint32(e[e32Word0:], 1<<20|1<<16)
		binary.LittleEndian.PutUint32(e[e32Word5:], 0xf<<28)
		copy(e[e32Block1:], reversed(f.flashKey))
	}
	return e
}

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[i] = b[len(b)-1-i]
	}
	return r
}
