// Package fatfs builds and reads FAT12/FAT16 volume images the way ESP-IDF's
// fatfsgen.py does (components/fatfs, ESP-IDF 102122904ade).
//
// Build reproduces the generator byte for byte, its quirks included, because a
// partition image must hash the same as the one ESP-IDF would flash:
//   - names are upper-cased (Python str.upper) before anything else; with long
//     name support an 8.3-fitting name gets a short entry flagged lower-case
//     (DIR_NTRes 0x18) and any other name gets LFN entries holding the
//     upper-cased name with its ASCII bytes lowered, plus a "~N" alias whose
//     tail is hashed from the 6th same-prefix name on (FatFs gen_numname);
//   - each FAT is sized from the total sector count, not the cluster count;
//   - clusters are addressed one sector each whatever SectorsPerCluster says;
//   - ".." of a top-level directory points at cluster 1, and a root directory
//     that runs out of entries is chained into the data area through FAT[1];
//   - unused data sectors are 0xFF, allocated ones are zeroed first.
//
// Decode reads a FAT12/FAT16 image (one made by Build or by FatFs) back into
// entries, refusing cyclic or cross-linked cluster chains and directory loops.
package fatfs
