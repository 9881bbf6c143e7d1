// Package appimage reads, checks, patches and builds ESP32-family firmware images
// (the format of esp-idf's esp_app_format.h), following esptool 4.8.1:
//
//   - Decode parses header, extended header, segments, checksum, the appended
//     SHA-256, esp_app_desc_t / esp_bootloader_desc_t and reports the extent of
//     the image proper (Len) apart from trailing bytes such as a Secure Boot
//     signature sector.
//   - InfoBytes renders `esptool.py image_info` text byte for byte (without the
//     banner line) from a file's bytes, including --chip auto detection and
//     ESP8266 V1/V2 images; Info does the same for a decoded image; Describe
//     gives the facts as a JSON-friendly struct.
//   - SetFlashParams patches flash mode/frequency/size and the appended digest
//     as merge_bin and write_flash do for a bootloader.
//   - Build lays out a well-formed image (used for tests and examples, since
//     Espressif binaries cannot be shipped).
//
// The chip table (Chips, LookupChip) carries what esptool knows per chip: image
// chip id, bootloader flash offset, flash frequency encodings, memory map and
// UF2 family id. Apart from InfoBytes, the ESP8266 is not supported.
package appimage
