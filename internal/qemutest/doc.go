// Package qemutest proves on an emulated ESP32-C3 that images espcompose composes
// actually boot: a plain build, an otadata that selects ota_1, a flash-encrypted build
// whose key sits in emulated eFuses, and Secure Boot V2 signatures the ROM checks.
// Each positive boot has a negative twin (broken otadata CRC, no key, untrusted key)
// so a pass cannot come from the emulator ignoring what is tested.
//
// The tests are opt-in. They need Espressif's QEMU fork (github.com/espressif/qemu,
// machine "esp32c3"; nothing of QEMU is part of this project) and real ESP-IDF build
// outputs, which cannot ship with the project:
//
//	ESPCOMPOSE_QEMU_RISCV32           path to qemu-system-riscv32 (Espressif fork)
//	ESPCOMPOSE_QEMU_INPUTS            directory holding inputs named <sha256>.bin
//	ESPCOMPOSE_QEMU_C3_BOOTLOADER     or: an ESP-IDF esp32c3 bootloader.bin
//	ESPCOMPOSE_QEMU_C3_APP            and an esp32c3 app .bin
//	ESPCOMPOSE_QEMU_C3_FE_BOOTLOADER  optional: a bootloader built with flash encryption
//	ESPCOMPOSE_QEMU_C3_FE_APP         optional: the app to boot encrypted
//	ESPCOMPOSE_QEMU_C3_TABLE_OFFSET, ESPCOMPOSE_QEMU_C3_FE_TABLE_OFFSET
//	                                  partition table offset each bootloader was built
//	                                  for, when it is not one of the known inputs
//	ESPCOMPOSE_QEMU_TIMEOUT           per boot, as a Go duration (default 2m)
//	ESPCOMPOSE_BIN                    optional prebuilt espcompose CLI
//
// Known inputs (found by SHA-256 in ESPCOMPOSE_QEMU_INPUTS or ../shared/reference-data)
// are listed in knownInputs with the public repository and path they come from.
// Without a QEMU or inputs every test skips and says what is missing.
package qemutest
