package outputs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/format/secureboot"
)

// InspectOptions say how to read a flash image back.
type InspectOptions struct {
	Chip        string // "" detects from the bootloader header
	TableOffset uint32 // 0 means 0x8000
	FlashKey    []byte // decrypts flash-encrypted regions when set
	CryptConfig *uint8 // ESP32 FLASH_CRYPT_CONFIG; nil means 0xF
	NVSKeys     *nvs.Keys
}

// Inspection is what a flash image holds.
type Inspection struct {
	Size       int                `json:"size"`
	Chip       string             `json:"chip"`
	Encrypted  bool               `json:"flash_encrypted"`
	Bootloader *ImageSummary      `json:"bootloader,omitempty"`
	Tables     []TableSummary     `json:"tables"`
	Partitions []PartitionSummary `json:"partitions"`
	// Findings are the problems found, in the order they were found; an image
	// that passes every check has none (an empty list, never null).
	Findings []Finding `json:"findings"`
	// Regions says, for the bootloader, each table and each partition, whether it
	// is stored as plaintext, ciphertext or erased, and why (inspect_state.go).
	Regions []RegionState `json:"regions"`
	// ChipDetected says how the chip was found: "header" (plaintext bootloader),
	// "decryption" (the key decrypts a bootloader for it), "given" or "".
	ChipDetected string `json:"chip_detected,omitempty"`
	// Kind is "flash" for a whole-flash image, "region" for one partition or
	// artifact (InspectRegion).
	Kind string `json:"kind"`
	// BootloaderData is the bootloader region as the ROM reads it (decrypted).
	BootloaderData []byte `json:"-"`
}

// TableSummary is a partition table found in the image.
type TableSummary struct {
	Offset    uint32 `json:"offset"`
	Parent    string `json:"parent,omitempty"`
	Encrypted bool   `json:"encrypted"`
	Entries   int    `json:"entries"`
}

// PartitionSummary is one partition and what it was found to hold.
type PartitionSummary struct {
	Name      string `json:"name"`
	Type      uint8  `json:"type"`
	Subtype   uint8  `json:"subtype"`
	TypeName  string `json:"type_name"`
	Offset    uint32 `json:"offset"`
	Size      uint32 `json:"size"`
	Parent    string `json:"parent,omitempty"`
	Encrypted bool   `json:"encrypted"`
	// EncryptedFlag is the table entry's "encrypted" flag, whatever the device makes of it.
	EncryptedFlag bool           `json:"encrypted_flag,omitempty"`
	Erased        bool           `json:"erased"`
	Image         *ImageSummary  `json:"image,omitempty"`
	OTAData       *otadata.State `json:"otadata,omitempty"`
	NVS           []NVSEntry     `json:"nvs,omitempty"`
	Problem       string         `json:"problem,omitempty"`
	SubTable      int            `json:"secondary_table_entries,omitempty"`
	NVSKeys       bool           `json:"nvs_keys_valid,omitempty"`
	// State is plaintext, ciphertext or erased as stored; StateReason says why.
	State       string `json:"state"`
	StateReason string `json:"state_reason"`
	// Data is the plaintext as read (decrypted when encrypted). A partition that
	// runs past the end of the image is cut a little after it: the rest reads as
	// erased flash, and a table entry must not make inspect allocate its size.
	Data  []byte `json:"-"`
	table *parttable.Table
	depth int // of the table this entry is in: 1 for the primary table

	Filesystem *FilesystemSummary `json:"filesystem,omitempty"` // fat and spiffs partitions (inspect_fs.go)
}

// ImageSummary is an app or bootloader image header with its description.
type ImageSummary struct {
	ChipID     uint16 `json:"chip_id"`
	Length     int    `json:"length"`
	FlashMode  string `json:"flash_mode"`
	FlashSize  string `json:"flash_size"`
	FlashFreq  string `json:"flash_freq"`
	ChecksumOK bool   `json:"checksum_ok"`
	SHA256OK   bool   `json:"sha256_ok"`
	// SHA256Appended says the header announces an appended SHA-256; without one
	// SHA256OK is false and nothing is wrong.
	SHA256Appended bool   `json:"sha256_appended"`
	Project        string `json:"project,omitempty"`
	Version        string `json:"version,omitempty"`
	SignedBlocks   int    `json:"signature_blocks"`
	// Signatures are the Secure Boot V2 blocks: each checked against the image and its
	// own public key, whose digest is what the device's eFuse must hold.
	Signatures []SignatureSummary `json:"signatures,omitempty"`
}

// SignatureSummary is one Secure Boot V2 signature block.
type SignatureSummary struct {
	Scheme    string `json:"scheme"`
	KeyDigest string `json:"key_digest"`
	Valid     bool   `json:"valid"`
	Problem   string `json:"problem,omitempty"`
}

// NVSEntry is one decoded NVS item.
type NVSEntry struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Type      string `json:"type"`
	Value     string `json:"value"`
}

// ErrNoTable means no partition table was found at the table offset.
var ErrNoTable = errors.New("no partition table found")

// ErrNotAnImage is returned, with the findings, for input that is not a flash
// image at all: empty, or without a partition table at the table offset.
var ErrNotAnImage = errors.New("not an ESP flash image")

// Inspect reads tables (main and nested), images, otadata and NVS back from a flash
// image, decrypting what the device would decrypt when a flash key is given. Every
// problem becomes a Finding. The error is non-nil only for options it cannot use
// and for input that is not a flash image (errors.Is ErrNotAnImage, and ErrNoTable
// when there is no table); the Inspection then still holds the findings.
func Inspect(img []byte, opts InspectOptions) (*Inspection, error) {
	r := &reader{img: img, opts: opts, tableAt: map[uint32]string{}}
	if opts.TableOffset == 0 {
		r.opts.TableOffset = parttable.DefaultOffset
	}
	in := &Inspection{Size: len(img), Chip: opts.Chip, Kind: "flash", Tables: []TableSummary{}, Partitions: []PartitionSummary{}, Findings: []Finding{}, Regions: []RegionState{}}
	if len(img) == 0 {
		in.add(Fatal, CodeEmptyInput, 0, "", "empty input (0 bytes)")
		return in, fmt.Errorf("%w: empty input", ErrNotAnImage)
	}
	if err := r.detectChip(in); err != nil {
		return nil, err
	}
	table, enc, err := r.table(in, r.opts.TableOffset)
	if err != nil {
		msg := fmt.Sprintf("no partition table at %#x: %s", r.opts.TableOffset, tableProblem(err))
		if len(r.opts.FlashKey) == 0 {
			msg += " (if the flash is encrypted, give --key and --chip)"
		}
		in.add(Fatal, CodeNoTable, r.opts.TableOffset, "", msg)
		if in.Chip == "" {
			in.add(Fatal, CodeNotAnImage, 0, "", "not an ESP image: no bootloader header (magic 0xE9) at 0x0, 0x1000 or 0x2000")
		}
		return in, fmt.Errorf("%w: partition table at 0x%x: %w", ErrNotAnImage, r.opts.TableOffset, err)
	}
	in.Encrypted = enc
	r.encrypted = enc
	r.tableAt[r.opts.TableOffset] = "the partition table"
	in.Tables = append(in.Tables, TableSummary{Offset: r.opts.TableOffset, Encrypted: enc, Entries: len(table.Entries)})
	bootOff, bootRaw := r.bootloader(in)
	r.checkTable(in, table, r.opts.TableOffset, "", flashSizeOf(in.Bootloader))
	r.partitions(in, table, "", 1)
	r.checkImages(in)
	r.regionStates(in, bootOff, bootRaw)
	return in, nil
}

type reader struct {
	img       []byte
	opts      InspectOptions
	cipher    *flashenc.Cipher
	encrypted bool
	nvsKeys   *nvs.Keys
	// tableAt maps the offset of every table read to what holds it, so that an
	// entry pointing back at a table already read is reported, not followed.
	tableAt map[uint32]string
}

func (r *reader) detectChip(in *Inspection) error {
	if in.Chip != "" {
		in.ChipDetected = "given"
		return nil
	}
	for _, off := range []int{0x0, 0x1000, 0x2000} {
		if off+24 <= len(r.img) && r.img[off] == appimage.ImageMagic {
			if c, err := appimage.ChipByImageID(binary.LittleEndian.Uint16(r.img[off+12:])); err == nil && c.BootloaderOffset == uint32(off) {
				in.Chip, in.ChipDetected = c.Name, "header"
				r.opts.Chip = c.Name
				return nil
			}
		}
	}
	if len(r.opts.FlashKey) > 0 {
		// inspect_chip.go: each chip's scheme and bootloader offset, with the key.
		c, err := detectEncryptedChip(r.img, r.opts.FlashKey, r.opts.CryptConfig, r.opts.TableOffset)
		if err != nil {
			return err
		}
		in.Chip, in.ChipDetected = c, "decryption"
		r.opts.Chip = c
	}
	return nil
}

// slice returns n bytes at off. A merged image need not be padded to the flash size:
// bytes past its end read as erased flash (0xFF), as they are on the device. Those
// erased bytes are returned only up to the next 4 KiB boundary past the end of the
// image (at least 8 KiB, the most any check reads of an erased region): the caller
// must not be made to allocate whatever size a table entry claims.
func (r *reader) slice(off, n uint32) ([]byte, error) {
	end := uint64(off) + uint64(n)
	if end > 1<<32 {
		return nil, fmt.Errorf("byte offset 0x%x: region of 0x%x bytes runs past 4 GiB", off, n)
	}
	if end <= uint64(len(r.img)) {
		return r.img[off:end], nil
	}
	avail := uint64(0)
	if uint64(off) < uint64(len(r.img)) {
		avail = uint64(len(r.img)) - uint64(off)
	}
	keep := min(uint64(n), max((avail+erasedTail-1)/erasedTail*erasedTail, 2*erasedTail))
	out := bytes.Repeat([]byte{0xFF}, int(keep))
	if avail > 0 {
		copy(out, r.img[off:])
	}
	return out, nil
}

// erasedTail is the granule of erased bytes slice adds past the end of the image.
const erasedTail = 0x1000

func (r *reader) decrypt(b []byte, off uint32) ([]byte, error) {
	if r.cipher == nil {
		if len(r.opts.FlashKey) == 0 {
			return nil, fmt.Errorf("encrypted; give the flash encryption key to read it")
		}
		scheme, err := flashenc.SchemeFor(r.opts.Chip, len(r.opts.FlashKey))
		if err != nil {
			return nil, err
		}
		r.cipher, err = flashenc.NewCipher(r.opts.FlashKey, flashenc.Options{Scheme: scheme, FlashCryptConf: r.opts.CryptConfig})
		if err != nil {
			return nil, err
		}
	}
	n := len(b) / 32 * 32
	out := make([]byte, len(b))
	if err := r.cipher.DecryptAt(out[:n], b[:n], off); err != nil {
		return nil, err
	}
	copy(out[n:], b[n:])
	return out, nil
}

// bootloader reads the bootloader where the chip's ROM looks for it, and returns
// where it is and its stored bytes (nil when there is no room for one).
func (r *reader) bootloader(in *Inspection) (uint32, []byte) {
	c, err := appimage.LookupChip(in.Chip)
	if err != nil {
		in.add(Error, CodeNotAnImage, 0, "", "not an ESP image: no bootloader header (magic 0xE9) at 0x0, 0x1000 or 0x2000 (give --chip if the bootloader is encrypted)")
		return 0, nil
	}
	if r.opts.TableOffset <= c.BootloaderOffset {
		in.add(Error, CodeNotAnImage, c.BootloaderOffset, "", fmt.Sprintf("no room for a bootloader: the table offset %#x is not above the %s bootloader offset %#x", r.opts.TableOffset, c.Name, c.BootloaderOffset))
		return 0, nil
	}
	stored, err := r.slice(c.BootloaderOffset, r.opts.TableOffset-c.BootloaderOffset)
	raw := stored
	if err == nil && r.encrypted {
		raw, err = r.decrypt(raw, c.BootloaderOffset)
	}
	if err != nil {
		in.add(Error, CodeUnreadable, c.BootloaderOffset, "", "bootloader: "+err.Error())
		return c.BootloaderOffset, stored
	}
	in.BootloaderData = raw
	s, err := summarizeImage(raw, c)
	if err != nil {
		in.add(Error, CodeNotAnImage, c.BootloaderOffset, "", fmt.Sprintf("not an ESP image at %#x (bootloader): %v", c.BootloaderOffset, err))
		return c.BootloaderOffset, stored
	}
	in.Bootloader = s
	return c.BootloaderOffset, stored
}

func summarizeImage(raw []byte, c *appimage.Chip) (*ImageSummary, error) {
	img, err := appimage.Decode(raw)
	if err != nil {
		return nil, err
	}
	s := &ImageSummary{ChipID: img.Header.ChipID, Length: img.Len(), ChecksumOK: img.ChecksumValid(), SHA256OK: img.SHA256Valid(),
		SHA256Appended: img.Header.HashAppended}
	s.FlashMode, _ = img.FlashModeName()
	s.FlashSize, _ = img.FlashSizeName()
	if c != nil {
		s.FlashFreq, _ = img.FlashFreqName(c)
	}
	if img.AppDesc != nil {
		s.Project, s.Version = img.AppDesc.ProjectName, img.AppDesc.Version
	}
	// A Secure Boot V2 signature sector follows the image padded to 4 KiB.
	end := (img.Len() + secureboot.SectorSize - 1) / secureboot.SectorSize * secureboot.SectorSize
	if end+secureboot.SectorSize <= len(raw) {
		if blocks, err := secureboot.ParseSignatureSector(raw[end : end+secureboot.SectorSize]); err == nil {
			s.SignedBlocks = len(blocks)
			s.Signatures = checkSignatures(raw[:end], blocks)
		}
	}
	return s, nil
}

// deviceEncrypts mirrors the device's rule for which partitions it reads decrypted.
func deviceEncrypts(e parttable.Entry) bool {
	switch {
	case e.Type == parttable.TypeData && e.Subtype == parttable.SubtypeDataNVS:
		return false
	case e.Type == parttable.TypeApp, e.Encrypted:
		return true
	case e.Type == parttable.TypeData && (e.Subtype == parttable.SubtypeDataOTA || e.Subtype == parttable.SubtypeDataTEEOTA || e.Subtype == 0x04):
		return true
	}
	return false
}

// partitions summarises the entries of one table (at the given depth: 1 for the
// primary table), then follows the nested tables found in them, within the limits.
func (r *reader) partitions(in *Inspection, t *parttable.Table, parent string, depth int) {
	numSlots := 0
	for _, e := range t.Entries {
		if e.Type == parttable.TypeApp && e.Subtype >= parttable.SubtypeAppOTA0 && e.Subtype < parttable.SubtypeAppOTA0+16 {
			numSlots++
		}
	}
	c, _ := appimage.LookupChip(in.Chip)
	first := len(in.Partitions)
	var nvsParts []int // indices: the slice grows while we go
	for _, e := range t.Entries {
		if e.Type == parttable.TypeBootloader || e.Type == parttable.TypePartitionTable {
			continue
		}
		ps := PartitionSummary{Name: e.Name, Type: e.Type, Subtype: e.Subtype, Offset: e.Offset, Size: e.Size, Parent: parent, depth: depth, EncryptedFlag: e.Encrypted}
		ps.TypeName = typeName(e)
		raw, err := r.slice(e.Offset, e.Size)
		if err != nil {
			ps.Problem = err.Error()
			in.Partitions = append(in.Partitions, ps)
			continue
		}
		ps.Erased = isErased(raw)
		ps.Encrypted = r.encrypted && deviceEncrypts(e)
		data := raw
		if ps.Encrypted && !ps.Erased {
			if data, err = r.decrypt(raw, e.Offset); err != nil {
				ps.Problem = err.Error()
				in.Partitions = append(in.Partitions, ps)
				continue
			}
		}
		ps.Data = data
		switch {
		case ps.Erased:
		case e.Type == parttable.TypeApp:
			ps.Image, err = summarizeImage(data, c)
			if err != nil {
				ps.Problem = "not a valid app image: " + err.Error()
			}
		case e.Type == parttable.TypeData && e.Subtype == parttable.SubtypeDataOTA:
			st, err := otadata.Decode(data[:min(len(data), otadata.Size)], numSlots)
			if err != nil {
				ps.Problem = err.Error()
			} else {
				ps.OTAData = &st
			}
		case e.Type == parttable.TypeData && e.Subtype == 0x04:
			if k, err := nvs.ParseKeyPartition(data[:min(len(data), nvs.KeyPartitionSize)]); err == nil {
				ps.NVSKeys = true
				if r.opts.NVSKeys == nil {
					r.nvsKeys = &k
				}
			} else {
				ps.Problem = err.Error()
			}
		case e.Type == parttable.TypeData && e.Subtype == parttable.SubtypeDataNVS:
			// Decoded after the loop, once an nvs_keys partition may have been seen.
		case isFilesystem(e): // inspect_fs.go
			ps.Filesystem, ps.Problem = inspectFilesystem(data, e.Subtype)
		default:
			if nested, err := parttable.Decode(data[:min(len(data), parttable.TableSize)]); err == nil && len(nested.Entries) > 0 && len(data) >= parttable.TableSize {
				ps.table, ps.SubTable = nested, len(nested.Entries)
			}
		}
		in.Partitions = append(in.Partitions, ps)
		if e.Type == parttable.TypeData && e.Subtype == parttable.SubtypeDataNVS && !ps.Erased {
			nvsParts = append(nvsParts, len(in.Partitions)-1)
		}
	}
	keys := r.opts.NVSKeys
	if keys == nil {
		keys = r.nvsKeys
	}
	for _, i := range nvsParts {
		ps := &in.Partitions[i]
		ps.NVS, ps.Problem = decodeNVS(ps.Data, keys)
	}
	// Only this table's entries: the slice grows with the nested ones.
	for i, n := first, len(in.Partitions); i < n; i++ {
		ps := in.Partitions[i]
		if ps.table == nil {
			continue
		}
		in.Partitions[i].table = nil
		if !r.followTable(in, ps, depth+1) {
			continue
		}
		in.Tables = append(in.Tables, TableSummary{Offset: ps.Offset, Parent: ps.Name, Encrypted: ps.Encrypted, Entries: len(ps.table.Entries)})
		r.checkTable(in, ps.table, ps.Offset, ps.Name, 0)
		r.checkChildren(in, ps)
		r.partitions(in, ps.table, ps.Name, depth+1)
	}
}

func decodeNVS(data []byte, keys *nvs.Keys) ([]NVSEntry, string) {
	d, err := nvs.Decode(data, nil)
	if err != nil && keys != nil {
		d, err = nvs.Decode(data, keys)
	}
	if err != nil {
		return nil, err.Error()
	}
	var out []NVSEntry
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			out = append(out, NVSEntry{Namespace: ns.Name, Key: e.Key, Type: e.Type.String(), Value: entryValue(e)})
		}
	}
	return out, ""
}

func entryValue(e nvs.Entry) string {
	switch {
	case e.Type == nvs.String:
		return e.Str
	case e.Type == nvs.Blob:
		if len(e.Blob) > 16 {
			return fmt.Sprintf("%x… (%d bytes)", e.Blob[:16], len(e.Blob))
		}
		return fmt.Sprintf("%x", e.Blob)
	case e.Type == nvs.U8 || e.Type == nvs.U16 || e.Type == nvs.U32 || e.Type == nvs.U64:
		return fmt.Sprint(e.Uint)
	}
	return fmt.Sprint(e.Int)
}

func typeName(e parttable.Entry) string {
	t, ok := parttable.TypeName(e.Type)
	if !ok {
		t = fmt.Sprintf("0x%02x", e.Type)
	}
	st, ok := parttable.SubtypeName(e.Type, e.Subtype, nil)
	if !ok {
		st = fmt.Sprintf("0x%02x", e.Subtype)
	}
	return t + "/" + st
}

func isErased(b []byte) bool {
	return len(bytes.TrimLeft(b, "\xff")) == 0
}

func checkSignatures(content []byte, blocks []*secureboot.SignatureBlock) []SignatureSummary {
	u, err := secureboot.PrepareV2(content, secureboot.PrepareOptions{RequireAligned: true})
	var out []SignatureSummary
	for _, b := range blocks {
		sum := SignatureSummary{Scheme: b.Scheme().String()}
		if d, err := secureboot.DigestPublicKeyV2(b.Key); err == nil {
			sum.KeyDigest = fmt.Sprintf("%x", d)
		}
		switch {
		case err != nil:
			sum.Problem = err.Error()
		case !bytes.Equal(u.Digest(b.Scheme()), b.ImageDigest):
			sum.Problem = "image digest does not match the image"
		default:
			if verr := b.Verify(); verr != nil {
				sum.Problem = verr.Error()
			} else {
				sum.Valid = true
			}
		}
		out = append(out, sum)
	}
	return out
}
