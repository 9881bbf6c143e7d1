// Package spiffs builds and reads SPIFFS filesystem images exactly as ESP-IDF's
// spiffsgen.py (components/spiffs/spiffsgen.py) lays them out, so that an image
// built here is byte-identical to the one the ESP-IDF build system would flash.
//
// Layout, as spiffsgen writes it (all integers little-endian unless BigEndian):
//
//   - The image is a run of blocks (BlockSize bytes), each a run of pages
//     (PageSize bytes). The first pages of every block are object lookup (LU)
//     pages: one 16-bit object id per remaining page of the block, in page order,
//     with the top bit set for object index pages; unused entries stay 0xFFFF.
//   - Every file is one object. Its first page is an object index page (span 0):
//     the 5-byte page header (object id | 0x8000, span index, flags 0xF8), padding
//     to 8 bytes, the file size (u32), the type (1 = file), the NUL-padded name
//     ("/" + path), MetaLen zero bytes, then the 16-bit page numbers of its data
//     pages. When those run out, another index page (span 1, 2, ...) holds more.
//   - Data pages carry a 5-byte header (object id, data span index, flags 0xFC)
//     and PageSize-5 bytes of content.
//   - Pages are handed out strictly in order: a file's pages follow the previous
//     file's, crossing into the next block when one is full.
//   - With UseMagic, the second-to-last entry of the last LU page of every block
//     holds the SPIFFS magic (0x20140529 ^ PageSize, and ^ (blocks - block index)
//     with UseMagicLen), and blocks past the last file get their LU pages and
//     magic too; without it the rest of the image is left erased (0xFF).
//
// Files are added in the order spiffsgen's directory walk sees them, which the
// ESP-IDF build makes deterministic: per directory, the files by name, then each
// subdirectory by name, depth first. Build does this ordering itself.
package spiffs
