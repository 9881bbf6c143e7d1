package outputs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/espcompose/espcompose/format/parttable"
)

// Region states: what the bytes of a region are as stored on flash.
const (
	StatePlaintext  = "plaintext"
	StateCiphertext = "ciphertext"
	StateErased     = "erased"
)

// RegionState says whether one region of the image is stored as plaintext,
// ciphertext or erased flash, and why inspect thinks so. A reader debugging a
// "partition missed" or "cert_len=0" (seeds 000, 001) needs exactly this: which
// regions the device reads through decryption and which it reads as stored.
type RegionState struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"` // bootloader, partition-table, partition, input
	Offset uint32 `json:"offset"`
	Size   uint32 `json:"size"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// randomLooking is the byte entropy (bits per byte) above which content with no
// known structure is called ciphertext. AES output measures ~7.95 on 4 KiB;
// firmware, certificates and text stay well under 7.
const randomLooking = 7.5

// RandomLooking, Entropy and NVSHeaderOK are exported for doctor, which judges
// read-back regions by the same rules inspect does.
const RandomLooking = randomLooking

// Entropy is entropy, for doctor.
func Entropy(b []byte) float64 { return entropy(b) }

// NVSHeaderOK is nvsHeaderOK, for doctor.
func NVSHeaderOK(pg []byte) bool { return nvsHeaderOK(pg) }

// entropy is the Shannon entropy of b in bits per byte, over at most the first
// 64 KiB with the erased tail trimmed.
func entropy(b []byte) float64 {
	b = bytes.TrimRight(b[:min(len(b), 64<<10)], "\xff")
	if len(b) == 0 {
		return 0
	}
	var n [256]int
	for _, c := range b {
		n[c]++
	}
	h := 0.0
	for _, c := range n {
		if c > 0 {
			p := float64(c) / float64(len(b))
			h -= p * math.Log2(p)
		}
	}
	return h
}

// nvsHeaderOK reports whether pg starts with an NVS page header whose CRC
// matches. NVS encryption leaves page headers in plaintext (only the entries
// are encrypted), so a valid header tells NVS-encrypted pages apart from pages
// that were flash-encrypted by mistake.
func nvsHeaderOK(pg []byte) bool {
	if len(pg) < 32 || binary.LittleEndian.Uint32(pg) == 0xFFFFFFFF {
		return false
	}
	return binary.LittleEndian.Uint32(pg[28:]) == crc32.Update(0xFFFFFFFF, crc32.IEEETable, pg[4:28])
}

// partitionState decides the state of a partition already read: ps.Encrypted
// says the device reads it through decryption (and it was decrypted), raw is the
// stored bytes.
func partitionState(ps *PartitionSummary, raw []byte, flashEncrypted bool) (string, string) {
	switch {
	case ps.Erased:
		return StateErased, "every byte reads 0xFF (never written, or erased)"
	case ps.Encrypted && ps.Problem == "":
		return StateCiphertext, fmt.Sprintf("flash encryption is on and the device reads %s through decryption; decrypted with the key at %#x, it decodes", deviceRule(ps), ps.Offset)
	case ps.Encrypted:
		return StateCiphertext, fmt.Sprintf("flash encryption is on and the device reads %s through decryption, but it does not decode: %s", deviceRule(ps), ps.Problem)
	}
	isNVS := ps.Type == parttable.TypeData && ps.Subtype == parttable.SubtypeDataNVS
	h := entropy(raw)
	switch {
	case isNVS && len(ps.NVS) > 0 || isNVS && nvsHeaderOK(raw):
		why := "NVS page headers are valid as stored"
		if flashEncrypted {
			why = "NVS is never flash-encrypted (the NVS driver reads it as stored); its page headers are valid"
		}
		return StatePlaintext, why
	case isNVS && h >= randomLooking:
		return StateCiphertext, fmt.Sprintf("no valid NVS page header and the bytes look random (%.2f bits/byte): flash-encrypted by mistake? The NVS driver cannot read it", h)
	case ps.Problem == "" && (ps.Image != nil || ps.OTAData != nil || len(ps.NVS) > 0 || ps.NVSKeys || ps.Filesystem != nil || ps.SubTable > 0):
		return StatePlaintext, "decodes as stored, without decryption"
	case h >= randomLooking:
		return StateCiphertext, fmt.Sprintf("no known structure and the bytes look random (%.2f bits/byte)", h)
	}
	return StatePlaintext, fmt.Sprintf("not read through decryption by the device, and the bytes do not look random (%.2f bits/byte)", h)
}

// deviceRule names why the device decrypts a partition (ESP-IDF's
// esp_partition_is_flash_region_writable / load_partitions rule: apps, otadata,
// nvs_keys and partitions flagged encrypted).
func deviceRule(ps *PartitionSummary) string {
	switch {
	case ps.Type == parttable.TypeApp:
		return "app partitions"
	case ps.Type == parttable.TypeData && ps.Subtype == parttable.SubtypeDataOTA:
		return "otadata"
	case ps.Type == parttable.TypeData && ps.Subtype == 0x04:
		return "nvs_keys"
	}
	return "partitions flagged encrypted"
}

// regionStates lists the state of the bootloader, every table and every
// partition read, in that order.
func (r *reader) regionStates(in *Inspection, bootOff uint32, bootRaw []byte) {
	if bootRaw != nil {
		rs := RegionState{Name: "bootloader", Kind: "bootloader", Offset: bootOff, Size: uint32(len(bootRaw))}
		switch {
		case isErased(bootRaw):
			rs.State, rs.Reason = StateErased, "every byte reads 0xFF: nothing for the ROM to boot"
		case r.encrypted && in.Bootloader != nil:
			rs.State, rs.Reason = StateCiphertext, fmt.Sprintf("the ROM decrypts it; decrypted with the key at %#x it is a valid image header", bootOff)
		case r.encrypted:
			rs.State, rs.Reason = StateCiphertext, "flash encryption is on (the table decrypts), but the bootloader does not decode after decryption"
		case in.Bootloader != nil:
			rs.State, rs.Reason = StatePlaintext, "image header (magic 0xE9) as stored"
		default:
			rs.State, rs.Reason = StatePlaintext, "no image header as stored"
			if h := entropy(bootRaw); h >= randomLooking {
				rs.State, rs.Reason = StateCiphertext, fmt.Sprintf("no image header as stored and the bytes look random (%.2f bits/byte): encrypted? give --key", h)
			}
		}
		in.Regions = append(in.Regions, rs)
	}
	for _, t := range in.Tables {
		rs := RegionState{Name: "partition-table", Kind: "partition-table", Offset: t.Offset, Size: parttable.TableSize, State: StatePlaintext,
			Reason: "table magic 0xAA50 as stored"}
		if t.Parent != "" {
			rs.Name = "table in " + t.Parent
		}
		if t.Encrypted {
			rs.State, rs.Reason = StateCiphertext, fmt.Sprintf("no table as stored; decrypted with the key at %#x it has the 0xAA50 magic", t.Offset)
		}
		in.Regions = append(in.Regions, rs)
	}
	for i := range in.Partitions {
		ps := &in.Partitions[i]
		raw, _ := r.slice(ps.Offset, ps.Size)
		ps.State, ps.StateReason = partitionState(ps, raw, r.encrypted)
		in.Regions = append(in.Regions, RegionState{Name: ps.Name, Kind: "partition", Offset: ps.Offset, Size: ps.Size, State: ps.State, Reason: ps.StateReason})
	}
}
