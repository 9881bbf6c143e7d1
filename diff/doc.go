// Package diff compares two releases of a product: what `espcompose diff A B` reports.
//
// A release is read either from a manifest (planned and its stages run in memory by
// compose, writing nothing: no cache, no keys, no output folder) or from a build
// directory (build.json, SHA256SUMS and the files they list, checked against each
// other). Both become a Release: the partition tables, each region's contents (with
// the app description of app images and the entries of NVS partitions), the key
// fingerprints, the security settings and the eFuse plan. Compare lists what changed
// between two Releases as typed Changes, each with a severity that says whether a
// device already in the field can take the new release by OTA.
//
// Key material never leaves this package: keys are named by the fingerprints
// build.json records, and the values of an encrypted NVS partition by their size only.
package diff
