package stages

import "github.com/espcompose/espcompose/format/flashenc"

// Which stages the cache stores. A cache entry costs, on a cold build, two files
// (object and entry) and up to two folders written beside the outputs, and on a warm
// one an open, a read and a SHA-256 of the whole object. A stage whose work is no
// more than that is recomputed instead: its cache key is still computed and recorded
// in build.json, but nothing is stored or looked up on disk. Measured on the
// production bench (bench/examples/production, 2 vCPU ext4 VM): the nine small
// stages below made 18 files and 12 folders in a cold build (a file creation costs
// 80-800 µs of kernel time on that disk), against 1.6 ms for all nine computations
// together (build --report-timings).
// Expensive stages (signatures, HSM calls, filesystem images, ESP32 AES over large
// images, Intel HEX and UF2 renderings) are stored as before.

// xtsRecomputeMax: XTS-AES encrypts at about 770 MB/s here (format/flashenc
// BenchmarkEncryptXTSAES128), SHA-256 verifies a cached copy at about 1.5 GB/s; up
// to 1 MiB the encryption takes under 1.4 ms, less than storing the copy cold.
const xtsRecomputeMax = 1 << 20

// esp32RecomputeMax: ESP32 AES (FLASH_CRYPT_CONFIG) runs at about 310 MB/s, so the
// bound is a quarter of XTS's.
const esp32RecomputeMax = 256 << 10

// nvsRecomputeMax: an NVS partition is encoded at about 0.2 µs an entry (format/nvs
// BenchmarkEncode5000: 5,000 entries, 384 KB, under 1 ms); a partition of up to
// 64 KB holds at most a few hundred entries, microseconds of work.
const nvsRecomputeMax = 64 << 10

// RecomputedFor: flash encryption of a small input is recomputed (see above).
func (s *Encrypt) RecomputedFor(in []Artifact) bool {
	if len(in) == 0 {
		return false
	}
	scheme, err := FlashScheme(s.Chip, s.Algorithm)
	if err != nil {
		return false // Run reports it
	}
	limit := xtsRecomputeMax
	if scheme == flashenc.ESP32AES {
		limit = esp32RecomputeMax
	}
	return len(in[0].Data) <= limit
}

// Recomputed: a partition table is at most 3 KB, encoded from the plan.
func (s *PartitionTable) Recomputed() bool { return true }

// Recomputed: otadata is two 32-byte records in 8 KB of erased flash.
func (s *OTAData) Recomputed() bool { return true }

// Recomputed: patching an image header is a copy and one SHA-256 of the image, the
// same work as reading and verifying the stored copy.
func (s *PatchHeader) Recomputed() bool { return true }

// Recomputed: a small NVS partition (see nvsRecomputeMax).
func (s *NVS) Recomputed() bool { return s.Size <= nvsRecomputeMax }
