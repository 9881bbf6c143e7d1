// Package wl wraps a FAT volume in ESP-IDF's wear-levelling layer, byte for
// byte as components/fatfs/wl_fatfsgen.py writes it, and takes it off again.
//
// The partition is cut into 4096-byte WL sectors (always 4096, whatever the
// FAT's own sector size; wl_fatfsgen writes page and flash sector size 4096):
//
//	sector 0                    dummy sector, erased (0xFF)
//	sectors 1 .. F              the FAT volume, F = FATSectors
//	next 2 sectors (safe mode)  dump sectors of WL_Ext_Safe, erased
//	next S sectors              state copy 0 (wl_state_t + position records)
//	next S sectors              state copy 1, identical
//	last sector                 config (wl_config_t)
//
// S is the number of sectors needed for a 64-byte wl_state_t plus one
// 16-byte record per WL sector of the partition. Both structures are
// little-endian and carry esp_rom_crc32_le(UINT32_MAX, ...) of the bytes
// before the CRC. On a device the dummy sector moves through the FAT area;
// Unwrap follows the state (position records and move count) back to the
// logical order, as WL_Flash::calcAddr does.
package wl
