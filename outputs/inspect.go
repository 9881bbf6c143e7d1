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
	Name      string         `json:"name"`
	Type      uint8          `json:"type"`
	Subtype   uint8          `json:"subtype"`
	TypeName  string         `json:"type_name"`
	Offset    uint32         `json:"offset"`
	Size      uint32         `json:"size"`
	Parent    string         `json:"parent,omitempty"`
	Encrypted bool           `json:"encrypted"`
	Erased    bool           `json:"erased"`
	Image     *ImageSummary  `json:"image,omitempty"`
	OTAData   *otadata.State `json:"otadata,omitempty"`
	NVS       []NVSEntry     `json:"nvs,omitempty"`
	Problem   string         `json:"problem,omitempty"`
	SubTable  int            `json:"secondary_table_entries,omitempty"`
	NVSKeys   bool           `json:"nvs_keys_valid,omitempty"`
	Data      []byte         `json:"-"` // plaintext as read (decrypted when encrypted)
	table     *parttable.Table

	Filesystem *FilesystemSummary `json:"filesystem,omitempty"` // fat and spiffs partitions (inspect_fs.go)
}

// ImageSummary is an app or bootloader image header with its description.
type ImageSummary struct {
	ChipID       uint16 `json:"chip_id"`
	Length       int    `json:"length"`
	FlashMode    string `json:"flash_mode"`
	FlashSize    string `json:"flash_size"`
	FlashFreq    string `json:"flash_freq"`
	ChecksumOK   bool   `json:"checksum_ok"`
	SHA256OK     bool   `json:"sha256_ok"`
	Project      string `json:"project,omitempty"`
	Version      string `json:"version,omitempty"`
	SignedBlocks int    `json:"signature_blocks"`
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

// Inspect reads tables (main and nested), images, otadata and NVS back from a flash
// image, decrypting what the device would decrypt when a flash key is given.
func Inspect(img []byte, opts InspectOptions) (*Inspection, error) {
	r := &reader{img: img, opts: opts}
	if opts.TableOffset == 0 {
		r.opts.TableOffset = parttable.DefaultOffset
	}
	in := &Inspection{Size: len(img), Chip: opts.Chip}
	if err := r.detectChip(in); err != nil {
		return nil, err
	}
	table, enc, err := r.table(r.opts.TableOffset)
	if err != nil {
		return in, fmt.Errorf("partition table at 0x%x: %w", r.opts.TableOffset, err)
	}
	in.Encrypted = enc
	r.encrypted = enc
	in.Tables = append(in.Tables, TableSummary{Offset: r.opts.TableOffset, Encrypted: enc, Entries: len(table.Entries)})
	if b := r.bootloader(in); b != nil {
		in.Bootloader = b
	}
	r.partitions(in, table, "")
	return in, nil
}

type reader struct {
	img       []byte
	opts      InspectOptions
	cipher    *flashenc.Cipher
	encrypted bool
	nvsKeys   *nvs.Keys
}

func (r *reader) detectChip(in *Inspection) error {
	if in.Chip != "" {
		return nil
	}
	for _, off := range []int{0x0, 0x1000, 0x2000} {
		if off+24 <= len(r.img) && r.img[off] == appimage.ImageMagic {
			if c, err := appimage.ChipByImageID(binary.LittleEndian.Uint16(r.img[off+12:])); err == nil && c.BootloaderOffset == uint32(off) {
				in.Chip = c.Name
				return nil
			}
		}
	}
	if len(r.opts.FlashKey) > 0 {
		return fmt.Errorf("the chip cannot be read from an encrypted bootloader; give it explicitly")
	}
	return nil
}

// slice returns n bytes at off. A merged image need not be padded to the flash size:
// bytes past its end read as erased flash (0xFF), as they are on the device.
func (r *reader) slice(off, n uint32) ([]byte, error) {
	end := uint64(off) + uint64(n)
	if end > 1<<32 {
		return nil, fmt.Errorf("byte offset 0x%x: region of 0x%x bytes runs past 4 GiB", off, n)
	}
	if end <= uint64(len(r.img)) {
		return r.img[off:end], nil
	}
	out := bytes.Repeat([]byte{0xFF}, int(n))
	if uint64(off) < uint64(len(r.img)) {
		copy(out, r.img[off:])
	}
	return out, nil
}

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

// table reads a table, trying plaintext first, then decrypting with the key.
func (r *reader) table(off uint32) (*parttable.Table, bool, error) {
	raw, err := r.slice(off, parttable.TableSize)
	if err != nil {
		return nil, false, err
	}
	if t, err := parttable.Decode(raw); err == nil {
		return t, false, nil
	} else if len(r.opts.FlashKey) == 0 || r.opts.Chip == "" {
		return nil, false, fmt.Errorf("%w: %v", ErrNoTable, err)
	}
	plain, err := r.decrypt(raw, off)
	if err != nil {
		return nil, true, err
	}
	t, err := parttable.Decode(plain)
	if err != nil {
		return nil, true, fmt.Errorf("%w (not even after decryption: wrong key?): %v", ErrNoTable, err)
	}
	return t, true, nil
}

func (r *reader) bootloader(in *Inspection) *ImageSummary {
	c, err := appimage.LookupChip(in.Chip)
	if err != nil {
		return nil
	}
	raw, err := r.slice(c.BootloaderOffset, r.opts.TableOffset-c.BootloaderOffset)
	if err != nil {
		return nil
	}
	if r.encrypted {
		if raw, err = r.decrypt(raw, c.BootloaderOffset); err != nil {
			return nil
		}
	}
	return summarizeImage(raw, c)
}

func summarizeImage(raw []byte, c *appimage.Chip) *ImageSummary {
	img, err := appimage.Decode(raw)
	if err != nil {
		return nil
	}
	s := &ImageSummary{ChipID: img.Header.ChipID, Length: img.Len(), ChecksumOK: img.ChecksumValid(), SHA256OK: img.SHA256Valid()}
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
	return s
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

func (r *reader) partitions(in *Inspection, t *parttable.Table, parent string) {
	numSlots := 0
	for _, e := range t.Entries {
		if e.Type == parttable.TypeApp && e.Subtype >= parttable.SubtypeAppOTA0 && e.Subtype < parttable.SubtypeAppOTA0+16 {
			numSlots++
		}
	}
	c, _ := appimage.LookupChip(in.Chip)
	var nvsParts []int // indices: the slice grows while we go
	for _, e := range t.Entries {
		if e.Type == parttable.TypeBootloader || e.Type == parttable.TypePartitionTable {
			continue
		}
		ps := PartitionSummary{Name: e.Name, Type: e.Type, Subtype: e.Subtype, Offset: e.Offset, Size: e.Size, Parent: parent}
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
			ps.Image = summarizeImage(data, c)
			if ps.Image == nil {
				ps.Problem = "not a valid app image"
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
			if nested, err := parttable.Decode(data[:min(len(data), parttable.TableSize)]); err == nil && len(data) >= parttable.TableSize {
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
	for i := 0; i < len(in.Partitions); i++ {
		ps := in.Partitions[i]
		if ps.table != nil && ps.Parent == parent {
			in.Partitions[i].table = nil
			in.Tables = append(in.Tables, TableSummary{Offset: ps.Offset, Parent: ps.Name, Encrypted: ps.Encrypted, Entries: len(ps.table.Entries)})
			r.partitions(in, ps.table, ps.Name)
		}
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
