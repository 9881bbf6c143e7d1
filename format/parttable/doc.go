// Package parttable reads and writes ESP-IDF partition tables, byte-exact with
// gen_esp32part.py (__version__ 1.5).
//
// The binary table is 0xC00 bytes: one 32-byte record per partition, an optional
// MD5 record (0xEBEB), then 0xFF fill. ParseCSV reproduces the tool's CSV dialect
// including automatic placement; Validate performs every check the tool makes;
// Encode refuses tables the tool would refuse; Decode and WriteCSV give the
// tool's binary-to-CSV direction.
//
// The package knows nothing of files: inputs are io.Reader or []byte, and the
// file name passed to ParseCSV is used only in error messages.
package parttable
