// Package securecert reads and writes the TLV layout of the esp_secure_cert partition
// of Espressif's esp_secure_cert_mgr (partition type 0x3F), in which a device keeps
// its certificate, its CA certificate and its private key.
//
// The layout follows esp_secure_cert_mgr at commit 2296511
// (private_include/esp_secure_cert_tlv_private.h: esp_secure_cert_tlv_header_t and
// esp_secure_cert_tlv_footer_t; tools/esp_secure_cert/tlv_format_construct.py:
// TlvPartitionBuilder.add_tlv_entry and add_integrity_tlv). Each entry is
//
//	magic 0xBA5EBA11 (u32 LE) | flags u8 | reserved [3]0 | type u8 | subtype u8 | length u16 LE
//	data[length] | zero padding to a multiple of 16 (flash-encrypted writes need it)
//	crc32 (u32 LE) of header+data+padding, zlib.crc32 seeded with 0xFFFFFFFF
//
// Entries follow each other with no gap; the tool writes only the used bytes and the
// rest of the partition stays erased (0xFF). configure_esp_secure_cert.py (the
// cust_flash_tlv default) writes the CA certificate, the device certificate, the
// private key, then an integrity entry (type 9) holding the SHA-256 of every byte
// before it. PEM data carries a terminating NUL, as the tool adds one.
package securecert
