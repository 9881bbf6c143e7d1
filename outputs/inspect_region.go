package outputs

import (
	"errors"
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/parttable"
)

// Region kinds InspectRegion reads.
const (
	RegionApp     = "app"
	RegionNVS     = "nvs"
	RegionOTAData = "otadata"
	RegionTable   = "table"
)

// RegionOptions say how to read one partition dump or OTA-slot artifact.
type RegionOptions struct {
	Chip string // "" detects (from the image header, or with the key)
	// Address is the flash offset the bytes belong at (esptool read_flash's
	// address, or the slot an artifact was encrypted for). Flash encryption
	// tweaks every block with it; nil lets an encrypted app find its slot.
	Address     *uint32
	Kind        string // "" detects: app, nvs, otadata or table
	FlashKey    []byte
	CryptConfig *uint8
	NVSKeys     *nvs.Keys
}

// ErrUnknownRegion: the bytes are none of the kinds InspectRegion reads.
var ErrUnknownRegion = errors.New("not an app image, NVS, otadata or partition table")

// maxSearch bounds the slot search for an encrypted app without an address:
// every 64 KiB boundary (where app partitions sit) below 16 MiB, the largest
// flash the tables address in practice.
const maxSearch = 16 << 20

// InspectRegion reads one region rather than a whole flash: a partition dumped
// with `esptool read_flash ADDR SIZE`, or an OTA-slot artifact (dist/ota/...). It
// returns an Inspection of Kind "region" with the region as its one partition
// (named "input"), its state and findings. ErrUnknownRegion (and the options'
// errors) mean bad input.
func InspectRegion(data []byte, opts RegionOptions) (*Inspection, error) {
	in := &Inspection{Size: len(data), Chip: opts.Chip, Kind: "region", Tables: []TableSummary{}, Partitions: []PartitionSummary{}, Findings: []Finding{}, Regions: []RegionState{}}
	if len(data) == 0 {
		return in, fmt.Errorf("%w: empty input", ErrUnknownRegion)
	}
	if opts.Chip != "" {
		if _, err := appimage.LookupChip(opts.Chip); err != nil {
			return nil, err
		}
		in.ChipDetected = "given"
	}
	addr := uint32(0)
	if opts.Address != nil {
		addr = *opts.Address
	}
	ps := PartitionSummary{Name: "input", Offset: addr, Size: uint32(len(data)), Erased: isErased(data)}
	plain, kind := data, opts.Kind
	if kind == "" {
		kind = regionKind(data)
	}
	if !ps.Erased && len(opts.FlashKey) > 0 && (kind == "" || opts.Kind != "" && regionKind(data) != kind) {
		// Not readable as stored: try the key, at the address given or, for an app,
		// at every slot boundary.
		p, a, chip, err := decryptRegion(data, opts, kind)
		if err != nil {
			return nil, err
		}
		plain, addr, ps.Offset, ps.Encrypted = p, a, a, true
		if in.Chip == "" {
			in.Chip, in.ChipDetected = chip, "decryption"
		}
		if kind == "" {
			kind = regionKind(plain)
		}
	}
	if ps.Erased {
		kind = "erased"
	}
	if in.Chip == "" && len(plain) > 16 && plain[0] == appimage.ImageMagic {
		if c, err := appimage.ChipByImageID(uint16(plain[12]) | uint16(plain[13])<<8); err == nil {
			in.Chip, in.ChipDetected = c.Name, "header"
		}
	}
	c, _ := appimage.LookupChip(in.Chip)
	ps.Data = plain
	switch kind {
	case "erased":
		ps.TypeName = "erased"
	case RegionApp:
		ps.Type, ps.TypeName = parttable.TypeApp, "app"
		var err error
		if ps.Image, err = summarizeImage(plain, c); err != nil {
			ps.Problem = "not a valid app image: " + err.Error()
		}
	case RegionNVS:
		ps.Type, ps.Subtype, ps.TypeName = parttable.TypeData, parttable.SubtypeDataNVS, "data/nvs"
		ps.NVS, ps.Problem = decodeNVS(plain[:len(plain)/nvs.PageSize*nvs.PageSize], opts.NVSKeys)
		if ps.Problem != "" && opts.NVSKeys == nil && nvsHeaderOK(plain) {
			ps.Problem += " (page headers are valid: NVS-encrypted entries? give --nvs-keys or --nvs-hmac-key)"
		}
	case RegionOTAData:
		ps.Type, ps.Subtype, ps.TypeName = parttable.TypeData, parttable.SubtypeDataOTA, "data/ota"
		st, err := otadata.Decode(plain[:min(len(plain), otadata.Size)], 0)
		if err != nil {
			ps.Problem = err.Error()
		} else {
			ps.OTAData = &st
		}
	case RegionTable:
		ps.TypeName = "partition table"
		t, err := parttable.Decode(plain[:min(len(plain), parttable.TableSize)])
		if err != nil {
			ps.Problem = err.Error()
		} else {
			ps.SubTable = len(t.Entries)
			in.Tables = append(in.Tables, TableSummary{Offset: addr, Encrypted: ps.Encrypted, Entries: len(t.Entries)})
			for _, e := range t.Entries {
				in.Partitions = append(in.Partitions, PartitionSummary{Name: e.Name, Type: e.Type, Subtype: e.Subtype, TypeName: typeName(e),
					Offset: e.Offset, Size: e.Size, Parent: "input", State: "-", StateReason: "listed in the table; not in this dump"})
			}
		}
	default:
		h := entropy(data)
		ps.State, ps.StateReason = StatePlaintext, fmt.Sprintf("no known structure (%.2f bits/byte)", h)
		if h >= randomLooking {
			ps.State, ps.StateReason = StateCiphertext, fmt.Sprintf("no known structure and the bytes look random (%.2f bits/byte): encrypted? give --key (and --address)", h)
		}
		in.Partitions = append([]PartitionSummary{ps}, in.Partitions...)
		in.Regions = append(in.Regions, RegionState{Name: "input", Kind: "input", Offset: ps.Offset, Size: ps.Size, State: ps.State, Reason: ps.StateReason})
		return in, fmt.Errorf("%w (give --as and, for encrypted data, --key and --address)", ErrUnknownRegion)
	}
	switch {
	case ps.Erased:
		ps.State, ps.StateReason = StateErased, "every byte reads 0xFF"
	case ps.Encrypted:
		ps.State, ps.StateReason = StateCiphertext, fmt.Sprintf("does not decode as stored; decrypted with the key for flash offset %#x it reads as %s", addr, kindWords[kind])
	default:
		ps.State, ps.StateReason = StatePlaintext, "reads as "+kindWords[kind]+" as stored, without decryption"
	}
	in.Encrypted = ps.Encrypted
	in.Partitions = append([]PartitionSummary{ps}, in.Partitions...)
	in.Regions = append(in.Regions, RegionState{Name: "input", Kind: "input", Offset: ps.Offset, Size: ps.Size, State: ps.State, Reason: ps.StateReason})
	if kind != "erased" {
		r := &reader{}
		r.checkImages(in)
	}
	return in, nil
}

var kindWords = map[string]string{RegionApp: "an app image", RegionNVS: "NVS", RegionOTAData: "otadata", RegionTable: "a partition table"}

// regionKind recognises what plaintext bytes hold.
func regionKind(b []byte) string {
	switch {
	case len(b) >= 24 && b[0] == appimage.ImageMagic:
		return RegionApp
	case len(b) >= 2 && b[0] == 0xAA && b[1] == 0x50:
		return RegionTable
	case nvsHeaderOK(b):
		return RegionNVS
	case len(b) >= otadata.Size:
		if st, err := otadata.Decode(b[:otadata.Size], 0); err == nil && st.Active >= 0 {
			return RegionOTAData
		}
	}
	return ""
}

// decryptRegion decrypts data with the flash key: at the given address, or, for
// an app without one, at the first 64 KiB boundary where the header decrypts to
// an image of the (given or some) chip.
func decryptRegion(data []byte, opts RegionOptions, kind string) ([]byte, uint32, string, error) {
	chips := appimage.Chips()
	if opts.Chip != "" {
		c, _ := appimage.LookupChip(opts.Chip)
		chips = []appimage.Chip{*c}
	}
	n := len(data) / 32 * 32
	for _, c := range chips {
		scheme, err := flashenc.SchemeFor(c.Name, len(opts.FlashKey))
		if err != nil {
			continue
		}
		ciph, err := flashenc.NewCipher(opts.FlashKey, flashenc.Options{Scheme: scheme, FlashCryptConf: opts.CryptConfig})
		if err != nil {
			return nil, 0, "", err
		}
		addrs := []uint32{}
		if opts.Address != nil {
			addrs = append(addrs, *opts.Address)
		} else if kind == "" || kind == RegionApp {
			for a := uint32(0x10000); a < maxSearch; a += 0x10000 {
				addrs = append(addrs, a)
			}
		}
		for _, a := range addrs {
			hdr := make([]byte, 32)
			if len(data) < 32 || ciph.DecryptAt(hdr, data[:32], a) != nil {
				continue
			}
			if opts.Address == nil && (regionKind(hdr) != RegionApp || uint16(hdr[12])|uint16(hdr[13])<<8 != c.ImageChipID) {
				continue
			}
			out := make([]byte, len(data))
			if err := ciph.DecryptAt(out[:n], data[:n], a); err != nil {
				ciph.Close()
				return nil, 0, "", err
			}
			copy(out[n:], data[n:])
			if got := regionKind(out); got == "" || kind != "" && got != kind {
				continue // this chip's scheme does not make sense of it
			}
			ciph.Close()
			return out, a, c.Name, nil
		}
		ciph.Close()
	}
	if opts.Address == nil {
		return nil, 0, "", fmt.Errorf("%w: encrypted, and no 64 KiB boundary below 16 MiB decrypts it to an app header with this key; give --address (and --chip)", ErrUnknownRegion)
	}
	return nil, 0, "", fmt.Errorf("%w: not even after decryption at %#x with this key (wrong key, address or chip?)", ErrUnknownRegion, *opts.Address)
}
