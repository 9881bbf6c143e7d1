package doctor

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/outputs"
)

// ImageOptions say how to read a flash image and what it is meant for.
type ImageOptions struct {
	Chip        string // "" detects (from the header, or with the key)
	TableOffset uint32 // 0 means 0x8000
	FlashKey    []byte // the flash encryption key, to read what the device decrypts
	CryptConfig *uint8 // ESP32 FLASH_CRYPT_CONFIG; nil means 0xF
	NVSKeys     *nvs.Keys
	// FlashMode and FlashSize are the board's ("" unknown). An input whose size is
	// a power of two of at least 1 MiB is taken as a whole-flash read_flash dump,
	// so its size is the flash size unless FlashSize says otherwise.
	FlashMode, FlashSize string
}

// ErrNotAnImage: the input is not a flash image doctor can read (bad input).
var ErrNotAnImage = errors.New("not a flash image")

// Image runs the image checks on a whole-flash image (an esptool read_flash dump
// or a merged factory image). name is what the report calls the input.
func Image(name string, img []byte, opts ImageOptions) (*Report, error) {
	r := newReport(name, inImage)
	if _, err := imageChecks(r, img, opts); err != nil {
		return nil, err
	}
	return r.finish(), nil
}

// imageChecks adds the image checks' findings to r and returns what was read.
func imageChecks(r *Report, img []byte, opts ImageOptions) (*outputs.Inspection, error) {
	in, err := outputs.Inspect(img, outputs.InspectOptions{Chip: opts.Chip, TableOffset: opts.TableOffset,
		FlashKey: opts.FlashKey, CryptConfig: opts.CryptConfig, NVSKeys: opts.NVSKeys})
	if err != nil {
		msg := err.Error()
		if in != nil {
			for _, f := range in.Findings {
				if f.Severity == outputs.Fatal {
					msg = f.Message
					break
				}
			}
		}
		return nil, fmt.Errorf("%w: %s", ErrNotAnImage, msg)
	}
	r.Chip = in.Chip
	d := &imageDoctor{r: r, in: in, img: img, opts: opts, handled: map[string]bool{}}
	if in.Encrypted {
		scheme, err := flashenc.SchemeFor(in.Chip, len(opts.FlashKey))
		if err != nil {
			return nil, err
		}
		if d.cipher, err = flashenc.NewCipher(opts.FlashKey, flashenc.Options{Scheme: scheme, FlashCryptConf: opts.CryptConfig}); err != nil {
			return nil, err
		}
		defer d.cipher.Close()
	}
	d.nestedTables()
	d.nvs()
	d.otadata()
	d.signatures()
	d.appSizes()
	d.flashParams()
	d.readBack()
	return in, nil
}

type imageDoctor struct {
	r      *Report
	in     *outputs.Inspection
	img    []byte
	opts   ImageOptions
	cipher *flashenc.Cipher
	// handled marks inspect findings ("code@partition") a specific check explained.
	handled map[string]bool
}

// stored returns n stored bytes at off; past the end of the image, erased flash.
func (d *imageDoctor) stored(off, n uint32) []byte {
	out := bytes.Repeat([]byte{0xFF}, int(n))
	if int(off) < len(d.img) {
		copy(out, d.img[off:])
	}
	return out
}

// decrypted is what the device reads through flash decryption at off.
func (d *imageDoctor) decrypted(b []byte, off uint32) []byte {
	out := bytes.Clone(b)
	n := len(b) / 32 * 32
	if d.cipher == nil || d.cipher.DecryptAt(out[:n], b[:n], off) != nil {
		return nil
	}
	return out
}

func (d *imageDoctor) nestedTables() {
	for _, p := range d.in.Partitions {
		// esp-at's customized partition (type 0x40 subtype 0, at_customize) holds
		// the secondary table at its start.
		if p.Type != 0x40 || p.Subtype != 0 && p.Name != "at_customize" || p.SubTable > 0 {
			continue
		}
		what := "holds no partition table at its start"
		if p.Erased {
			what = "is erased"
		}
		d.r.add(NestedTableMissing, atOffset(p.Offset, p.Name), "partition %q (type 0x40, esp-at's customized partitions) at %#x %s: no secondary table for esp-at to read", p.Name, p.Offset, what)
	}
	for _, f := range d.in.Findings {
		// Children past the parent's end, or below the secondary table's own
		// sector (inspect's table_invalid of a nested table): both point outside.
		if f.Code == outputs.CodeOutsideParent || f.Code == outputs.CodeTableInvalid && d.inNestedTable(f.Offset) {
			d.r.add(NestedTableOutside, atOffset(f.Offset, f.Partition), "%s", f.Message)
			d.handled[f.Code+"@"+f.Partition] = true
		}
	}
}

// inNestedTable reports whether off lies in a secondary table's sector.
func (d *imageDoctor) inNestedTable(off uint32) bool {
	for _, t := range d.in.Tables {
		if t.Parent != "" && off >= t.Offset && off < t.Offset+parttable.TableSize {
			return true
		}
	}
	return false
}

func isNVS(p outputs.PartitionSummary) bool {
	return p.Type == parttable.TypeData && p.Subtype == parttable.SubtypeDataNVS
}

func (d *imageDoctor) nvs() {
	for _, p := range d.in.Partitions {
		if !isNVS(p) {
			continue
		}
		if p.EncryptedFlag {
			d.r.add(NVSMarkedEncrypted, atOffset(p.Offset, p.Name), "NVS partition %q at %#x has the encrypted flag: nvs_flash_init refuses it (ESP_ERR_NVS_WRONG_ENCRYPTION)", p.Name, p.Offset)
		}
		if p.Erased || outputs.NVSHeaderOK(p.Data) {
			continue
		}
		raw := d.stored(p.Offset, min(p.Size, 0x10000))
		if plain := d.decrypted(raw, p.Offset); plain != nil && outputs.NVSHeaderOK(plain) {
			d.r.add(NVSCiphertext, atOffset(p.Offset, p.Name), "NVS partition %q at %#x is flash-encrypted: decrypted with the flash key at %#x its page headers are valid, as stored they are not; the NVS driver reads it as random bytes", p.Name, p.Offset, p.Offset)
			d.handled[outputs.CodeNVS+"@"+p.Name] = true
			continue
		}
		if h := outputs.Entropy(raw); h >= outputs.RandomLooking {
			d.r.add(NVSCiphertext, atOffset(p.Offset, p.Name), "NVS partition %q at %#x has no valid page header and its bytes look random (%.2f bits/byte): it reads as ciphertext%s", p.Name, p.Offset, h, keyHint(d.opts))
			d.handled[outputs.CodeNVS+"@"+p.Name] = true
		}
	}
}

func keyHint(o ImageOptions) string {
	if len(o.FlashKey) == 0 {
		return " (give --key to confirm it is flash-encrypted)"
	}
	return ""
}

func (d *imageDoctor) otadata() {
	for _, p := range d.in.Partitions {
		if p.Type != parttable.TypeData || p.Subtype != parttable.SubtypeDataOTA {
			continue
		}
		slots := d.slots(p.Parent)
		raw := d.stored(p.Offset, otadata.Size)
		switch {
		case d.in.Encrypted && p.Erased:
			seen := "random sequence numbers"
			if plain := d.decrypted(raw, p.Offset); plain != nil {
				st, _ := otadata.Decode(plain, len(slots))
				seen = fmt.Sprintf("sequence values A %#08x B %#08x, neither valid", st.Entries[0].Seq, st.Entries[1].Seq)
			}
			// The bootloader then boots the factory app, or without one the first OTA
			// slot: a warning while that holds an app, an error when it does not.
			sev, then := Warning, "falls back to the factory app (or ota_0) on every boot until an OTA rewrites it"
			if fb, ok := d.fallback(p.Parent); ok && fb.Image == nil {
				sev, then = Error, fmt.Sprintf("falls back to %q at %#x, which holds no valid app", fb.Name, fb.Offset)
			}
			d.r.addSev(OTADataEncryption, sev, atOffset(p.Offset, p.Name), "otadata %q at %#x is erased but flash encryption is on: the bootloader decrypts it into %s and %s", p.Name, p.Offset, seen, then)
		case d.in.Encrypted && p.OTAData != nil && p.OTAData.Active < 0:
			if st, err := otadata.Decode(raw, len(slots)); err == nil && st.Active >= 0 {
				d.r.add(OTADataEncryption, atOffset(p.Offset, p.Name), "otadata %q at %#x is written as plaintext (as stored it selects ota_%d) but flash encryption is on: the bootloader decrypts it into invalid entries and ignores it", p.Name, p.Offset, st.Slot)
			}
		case !d.in.Encrypted && !p.Erased && p.OTAData != nil && p.OTAData.Active < 0 && outputs.Entropy(raw) >= outputs.RandomLooking:
			d.r.add(OTADataEncryption, atOffset(p.Offset, p.Name), "otadata %q at %#x looks encrypted (no valid entry, random bytes) but this image's partition table is plaintext, so the device reads otadata as stored", p.Name, p.Offset)
		}
		if p.OTAData != nil && p.OTAData.Slot >= 0 {
			d.emptySlot(p, slots)
		}
	}
}

// fallback is the partition the bootloader boots without valid otadata: the
// factory app, else the first OTA slot (bootloader_utility_get_selected_boot_partition).
func (d *imageDoctor) fallback(parent string) (outputs.PartitionSummary, bool) {
	var first *outputs.PartitionSummary
	for i, q := range d.in.Partitions {
		if q.Parent != parent || q.Type != parttable.TypeApp {
			continue
		}
		if q.Subtype == 0x00 {
			return q, true
		}
		if first == nil && q.Subtype >= parttable.SubtypeAppOTA0 && q.Subtype < parttable.SubtypeAppOTA0+16 {
			first = &d.in.Partitions[i]
		}
	}
	if first == nil {
		return outputs.PartitionSummary{}, false
	}
	return *first, true
}

// slots lists the OTA app partitions of the table holding otadata, by index.
func (d *imageDoctor) slots(parent string) map[int]outputs.PartitionSummary {
	out := map[int]outputs.PartitionSummary{}
	for _, q := range d.in.Partitions {
		if q.Parent == parent && q.Type == parttable.TypeApp && q.Subtype >= parttable.SubtypeAppOTA0 && q.Subtype < parttable.SubtypeAppOTA0+16 {
			out[int(q.Subtype-parttable.SubtypeAppOTA0)] = q
		}
	}
	return out
}

func (d *imageDoctor) emptySlot(p outputs.PartitionSummary, slots map[int]outputs.PartitionSummary) {
	// otadata.Decode numbers the slots 0..n-1 in table order; the bootloader's
	// ota_seq picks the n-th OTA partition, whatever its subtype says.
	var ordered []outputs.PartitionSummary
	for _, q := range d.in.Partitions {
		if q.Parent == p.Parent && q.Type == parttable.TypeApp && q.Subtype >= parttable.SubtypeAppOTA0 && q.Subtype < parttable.SubtypeAppOTA0+16 {
			ordered = append(ordered, q)
		}
	}
	if p.OTAData.Slot >= len(ordered) {
		return
	}
	q := ordered[p.OTAData.Slot]
	switch {
	case q.Erased:
		d.r.add(OTADataEmptySlot, atOffset(p.Offset, p.Name), "otadata selects slot %d (%q at %#x), which is erased", p.OTAData.Slot, q.Name, q.Offset)
	case q.Image == nil:
		d.r.add(OTADataEmptySlot, atOffset(p.Offset, p.Name), "otadata selects slot %d (%q at %#x), which holds no valid app: %s", p.OTAData.Slot, q.Name, q.Offset, q.Problem)
	}
}

func (d *imageDoctor) signatures() {
	if b := d.in.Bootloader; b != nil {
		c, _ := appimage.LookupChip(d.in.Chip)
		d.imageSignatures(b, d.in.BootloaderData, c.BootloaderOffset, "", "bootloader", true)
	}
	for _, p := range d.in.Partitions {
		if p.Type != parttable.TypeApp {
			continue
		}
		if p.Encrypted && d.signedAfterEncryption(p) {
			continue
		}
		if p.Image != nil {
			d.imageSignatures(p.Image, p.Data, p.Offset, p.Name, fmt.Sprintf("app in %q", p.Name), false)
		}
	}
}

func (d *imageDoctor) imageSignatures(s *outputs.ImageSummary, data []byte, off uint32, part, what string, boot bool) {
	for i, sig := range s.Signatures {
		if sig.Valid {
			continue
		}
		d.handled[outputs.CodeSignature+"@"+part] = true
		if boot && data != nil {
			if was, ok := signedHeader(data, s.Length, s.SHA256Appended, d.in.Chip); ok {
				d.r.add(HeaderChangedAfterSigned, atOffset(off, part), "%s at %#x: signature block %d matches the image with header flash parameters %s; the header now says %s %s %s (rewritten after signing, the appended SHA-256 updated)",
					what, off, i, was, s.FlashMode, s.FlashFreq, s.FlashSize)
				continue
			}
		}
		d.r.add(SignatureMismatch, atOffset(off, part), "%s at %#x: signature block %d (%s, key %s…) is invalid: %s", what, off, i, sig.Scheme, sig.KeyDigest[:min(16, len(sig.KeyDigest))], sig.Problem)
	}
}

// signedAfterEncryption looks, in the stored bytes after an encrypted app, for a
// plaintext signature sector: the device decrypts it into garbage, and when its
// digest matches the stored ciphertext it was signed after encryption (seed 003).
func (d *imageDoctor) signedAfterEncryption(p outputs.PartitionSummary) bool {
	if p.Image == nil {
		return false
	}
	end := uint32((p.Image.Length + 0xFFF) &^ 0xFFF)
	if end+0x1000 > p.Size {
		return false
	}
	raw := d.stored(p.Offset, end+0x1000)
	sigs := parseSignatures(raw[end:])
	if len(sigs) == 0 {
		return false
	}
	d.handled[outputs.CodeSignature+"@"+p.Name] = true
	if digestMatches(raw[:end], sigs) {
		d.r.add(SignedAfterEncryption, atOffset(p.Offset, p.Name), "app in %q at %#x: the signature sector at %#x is stored as plaintext and signs the encrypted bytes; the device decrypts it into garbage and finds no signature", p.Name, p.Offset, p.Offset+end)
	} else {
		d.r.add(SignedAfterEncryption, atOffset(p.Offset, p.Name), "app in %q at %#x: the signature sector at %#x is stored as plaintext while the app is encrypted; the device decrypts it into garbage", p.Name, p.Offset, p.Offset+end)
	}
	return true
}

func (d *imageDoctor) appSizes() {
	for _, p := range d.in.Partitions {
		if p.Type != parttable.TypeApp || p.Erased || p.Image != nil {
			continue
		}
		// The image may run past its partition: read on, to the end of the dump.
		end := min(uint64(len(d.img)), uint64(p.Offset)+uint64(p.Size)+16<<20)
		if uint64(p.Offset) >= end {
			continue
		}
		data := d.img[p.Offset:end]
		if p.Encrypted {
			if data = d.decrypted(data, p.Offset); data == nil {
				continue
			}
		}
		img, err := appimage.Decode(data)
		if err != nil || uint32(img.Len()) <= p.Size {
			continue
		}
		d.r.add(AppExceedsSlot, atOffset(p.Offset, p.Name), "app in %q at %#x is %d bytes; the partition holds %d (%d bytes too many): it runs to %#x", p.Name, p.Offset, img.Len(), p.Size, uint32(img.Len())-p.Size, p.Offset+uint32(img.Len()))
		d.handled[outputs.CodeAppInvalid+"@"+p.Name] = true
		d.handled[outputs.CodeChecksum+"@"+p.Name] = true
		d.handled[outputs.CodeSHA256+"@"+p.Name] = true
	}
}

func (d *imageDoctor) flashParams() {
	b := d.in.Bootloader
	if b == nil {
		return
	}
	c, _ := appimage.LookupChip(d.in.Chip)
	where := atOffset(c.BootloaderOffset, "")
	target, source := d.opts.FlashSize, "the target"
	if target == "" && len(d.img) >= 1<<20 && bits.OnesCount(uint(len(d.img))) == 1 {
		target, source = fmt.Sprintf("%dMB", len(d.img)>>20), "the flash read back (a whole-flash dump)"
	}
	if target != "" && b.FlashSize != "" {
		hb, err1 := appimage.FlashSizeBytes(b.FlashSize)
		tb, err2 := appimage.FlashSizeBytes(target)
		switch {
		case err1 != nil || err2 != nil:
		case hb > tb:
			d.r.add(FlashParamsTarget, where, "bootloader header says flash size %s but %s is %s: the bootloader maps past the end of flash", b.FlashSize, source, target)
		case hb < tb:
			d.r.addSev(FlashParamsTarget, Warning, where, "bootloader header says flash size %s but %s is %s: the rest of the flash is unused", b.FlashSize, source, target)
		}
	}
	if m := d.opts.FlashMode; m != "" && b.FlashMode != "" && m != b.FlashMode {
		sev := Warning
		if (b.FlashMode == "qio" || b.FlashMode == "qout") && (m == "dio" || m == "dout") {
			sev = Error // the board does not wire the quad lines the header asks for
		}
		d.r.addSev(FlashParamsTarget, sev, where, "bootloader header says flash mode %s but the target is %s", b.FlashMode, m)
	}
}

// readBack turns inspect's remaining findings into image-read-back findings.
func (d *imageDoctor) readBack() {
	for _, f := range d.in.Findings {
		if d.handled[f.Code+"@"+f.Partition] || f.Code == outputs.CodeOutsideParent {
			continue
		}
		d.r.add(ReadBack, atOffset(f.Offset, f.Partition), "[%s] %s", f.Code, f.Message)
	}
}
