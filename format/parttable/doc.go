// Package parttable reads and writes ESP-IDF partition tables, byte-exact with
// gen_esp32part.py (__version__ 1.5).
//
// The binary table is 0xC00 bytes: one 32-byte record per partition in table
// order, an optional MD5 record (0xEBEB, MD5 of the records before it), then
// 0xFF fill. ParseCSV reproduces the tool's CSV dialect (Python's strip,
// splitlines and int() rules, k/m suffixes, keywords in any case, $VAR
// expansion, BOMs) including automatic placement; Validate performs every
// check the tool makes; Encode refuses what the tool would refuse. The tool's
// binary-to-CSV direction is Decode, Validate, then WriteCSV.
//
// Behaviours of the tool kept on purpose:
//   - names longer than 16 bytes are silently cut to 16 bytes by Encode (and
//     a name cut inside a UTF-8 sequence cannot be decoded again);
//   - duplicate-name detection compares the full names, before cutting;
//   - an --extra-partition-subtypes entry that re-points a built-in name
//     (e.g. "data, nvs, 0x50") moves that name's rules with it;
//   - the flash-size check measures the end of the partition with the highest
//     offset, not the furthest end.
//
// Decode is stricter than the tool where the tool would lose data: unknown
// flag bits, bytes after a name's NUL, records after the MD5 record or
// non-0xFF bytes between the end marker and 0xC00 are errors, so that
// Decode followed by Encode reproduces the input.
//
// The package knows nothing of files: inputs are io.Reader or []byte, and the
// file name passed to ParseCSV is used only in error messages.
package parttable
