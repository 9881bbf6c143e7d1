// Package qemutest proves on emulated chips (ESP32-C3 and ESP32) that images espcompose
// composes actually boot: a plain build, an otadata that selects ota_1, a
// flash-encrypted build whose key sits in emulated eFuses, and (ESP32-C3) Secure Boot
// V2 signatures the ROM checks; and (ESP32-C3) that the release-mode efuse-plan.sh
// espcompose writes, burned step by step into the emulated eFuses at esptool's field
// positions, makes the app report flash encryption mode RELEASE. Each positive boot has
// a negative twin (broken otadata CRC, no key, untrusted key, a plan without
// DIS_DOWNLOAD_ICACHE) so a pass cannot come from the emulator ignoring what is tested.
//
// The tests are opt-in. They need Espressif's QEMU fork (github.com/espressif/qemu,
// machines "esp32c3" and "esp32"; nothing of QEMU is part of this project) and real
// ESP-IDF build outputs, which cannot ship with the project:
//
//	ESPCOMPOSE_QEMU_RISCV32            qemu-system-riscv32 of the fork (ESP32-C3 tests)
//	ESPCOMPOSE_QEMU_XTENSA             qemu-system-xtensa of the fork (ESP32 tests)
//	ESPCOMPOSE_QEMU_INPUTS             directory holding the known inputs as <sha256>.bin
//	ESPCOMPOSE_QEMU_C3_BOOTLOADER      or: an ESP-IDF esp32c3 bootloader.bin
//	ESPCOMPOSE_QEMU_C3_APP             and an esp32c3 app .bin
//	ESPCOMPOSE_QEMU_C3_FE_BOOTLOADER   optional: a bootloader built with flash encryption
//	ESPCOMPOSE_QEMU_C3_FE_APP          optional: the app to boot encrypted
//	ESPCOMPOSE_QEMU_ESP32_BOOTLOADER   an ESP-IDF esp32 bootloader.bin
//	ESPCOMPOSE_QEMU_ESP32_APP          and an esp32 app .bin
//	ESPCOMPOSE_QEMU_*_TABLE_OFFSET     partition table offset a bootloader given by path
//	                                   was built for (default 0x8000)
//	ESPCOMPOSE_QEMU_TIMEOUT            per boot, as a Go duration (default 2m)
//	ESPCOMPOSE_BIN                     optional prebuilt espcompose CLI
//	ESPCOMPOSE_ESPEFUSE_DEFS           optional: esptool's espefuse/efuse_defs directory,
//	                                   to check the eFuse field table against it
//
// The known inputs, with the public repository, commit and path each comes from, are
// listed in device_test.go; they are also looked for in ../shared/reference-data.
// Without a QEMU or inputs every test skips and says what is missing.
package qemutest
