// Package otadata reads and writes the ESP-IDF "otadata" partition (type
// data, subtype ota): two 4 KiB flash sectors, each starting with one
// esp_ota_select_entry_t, which tell the second-stage bootloader which OTA
// app slot to boot.
//
// Layout of an entry (little-endian, 32 bytes, from esp_flash_partitions.h):
//
//	0  ota_seq    uint32  boot counter; slot = (ota_seq - 1) % number of OTA slots
//	4  seq_label  [20]byte  unused by the bootloader, left 0xFF
//	24 ota_state  uint32  esp_ota_img_states_t (0xFFFFFFFF = undefined)
//	28 crc        uint32  esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4)
//
// Entry 0 sits at offset 0, entry 1 at offset 0x1000. The rest of each sector
// is left erased (0xFF).
package otadata
