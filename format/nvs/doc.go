// Package nvs reads and writes ESP-IDF NVS partition images.
//
// Encode is byte-exact with esp-idf-nvs-partition-gen 0.2.0 (nvs_partition_gen),
// including its layout decisions (when a page is closed, where a multi-page blob
// is split, the read-only layout below 0x3000 bytes). ParseCSV imports that
// tool's CSV format and reproduces the tool's row semantics, quirks included,
// so that the same CSV gives the same image. Decode lists namespaces and
// entries of an image, verifying every CRC, and decrypts encrypted images.
package nvs
