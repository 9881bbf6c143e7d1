package outputs

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/parttable"
)

// Nested tables are followed only this far. ESP-IDF reads one table (at
// CONFIG_PARTITION_TABLE_OFFSET); esp-at adds one secondary table inside its
// at_customize partition, so real images are at most 2 deep. A manifest may nest
// `table {}` blocks further, so inspect allows two more levels before calling it
// a finding; an entry pointing back at a table already read is a finding at any
// depth.
const (
	MaxTableDepth = 4
	// MaxTables bounds the tables read in one image (each may hold 95 entries,
	// and every entry may hold another table): far above the two esp-at uses,
	// low enough that a hostile image cannot make inspect read thousands.
	MaxTables = 16
)

// Severity of a finding.
type Severity string

const (
	// Fatal: the input is not a flash image at all (the command exits 2).
	Fatal Severity = "fatal"
	// Error: a flash image whose content fails a check (the command exits 1).
	Error Severity = "error"
)

// Finding codes: stable identifiers for scripts; the message says the rest.
const (
	CodeEmptyInput    = "empty_input"
	CodeNoTable       = "no_partition_table"
	CodeNotAnImage    = "not_an_esp_image"
	CodeTableMD5      = "table_md5"
	CodeTableInvalid  = "table_invalid"
	CodeTableLoop     = "table_loop"
	CodeTableDepth    = "table_depth"
	CodeTableCount    = "table_count"
	CodeOutsideParent = "outside_parent"
	CodeUnreadable    = "unreadable"
	CodeAppInvalid    = "app_invalid"
	CodeNoApp         = "no_app"
	CodeChecksum      = "checksum"
	CodeSHA256        = "sha256"
	CodeSignature     = "signature"
	CodeOTAData       = "otadata_invalid"
	CodeNVSKeys       = "nvs_keys_invalid"
	CodeNVS           = "nvs_invalid"
)

// Finding is one problem found in an image.
type Finding struct {
	Severity  Severity `json:"severity"`
	Code      string   `json:"code"`
	Offset    uint32   `json:"offset"` // flash offset the finding is about
	Partition string   `json:"partition,omitempty"`
	Message   string   `json:"message"`
}

func (in *Inspection) add(sev Severity, code string, off uint32, part, msg string) {
	in.Findings = append(in.Findings, Finding{Severity: sev, Code: code, Offset: off, Partition: part, Message: msg})
}

// NotAnImage reports a fatal finding: the input is not a flash image.
func (in *Inspection) NotAnImage() bool {
	for _, f := range in.Findings {
		if f.Severity == Fatal {
			return true
		}
	}
	return false
}

// Failed reports any finding.
func (in *Inspection) Failed() bool { return len(in.Findings) > 0 }

// table reads a table, trying plaintext first, then decrypting with the key. A
// table whose only fault is its MD5 record is still read, with a finding: its
// entries say what the image was meant to hold.
func (r *reader) table(in *Inspection, off uint32) (*parttable.Table, bool, error) {
	raw, err := r.slice(off, parttable.TableSize)
	if err != nil {
		return nil, false, err
	}
	if t, err := r.decodeTable(in, raw, off); err == nil {
		return t, false, nil
	} else if len(r.opts.FlashKey) == 0 || r.opts.Chip == "" {
		return nil, false, fmt.Errorf("%w: %w", ErrNoTable, err)
	}
	plain, err := r.decrypt(raw, off)
	if err != nil {
		return nil, true, err
	}
	t, err := r.decodeTable(in, plain, off)
	if err != nil {
		return nil, true, fmt.Errorf("%w (not even after decryption: wrong key?): %w", ErrNoTable, err)
	}
	return t, true, nil
}

func (r *reader) decodeTable(in *Inspection, raw []byte, off uint32) (*parttable.Table, error) {
	t, err := parttable.Decode(raw)
	if err == nil && len(t.Entries) == 0 {
		// An erased sector decodes as a table without entries: nothing to boot.
		return nil, errors.New("no entries (the sector is erased or holds only an MD5 record)")
	}
	if err == nil || !errors.Is(err, parttable.ErrMD5) {
		return t, err
	}
	// Cut the table at its MD5 record: the records before it decide.
	cut := bytes.Clone(raw)
	for i := 0; i+parttable.EntrySize <= len(cut); i += parttable.EntrySize {
		if cut[i] == 0xEB && cut[i+1] == 0xEB {
			copy(cut[i:], bytes.Repeat([]byte{0xFF}, len(cut)-i))
			break
		}
	}
	t, err2 := parttable.Decode(cut)
	if err2 != nil {
		return nil, err
	}
	in.add(Error, CodeTableMD5, off+uint32(byteOffset(err)), "", fmt.Sprintf("partition table at %#x: %v", off, err))
	return t, nil
}

// tableProblem words why no table was read: the decoder's message, and where in
// the table it found the fault.
func tableProblem(err error) string {
	var pe *parttable.Error
	if !errors.As(err, &pe) {
		return strings.TrimPrefix(err.Error(), ErrNoTable.Error()+": ")
	}
	msg := pe.Msg
	if pe.ByteOffset >= 0 {
		msg += fmt.Sprintf(" (byte %#x of the table)", pe.ByteOffset)
	}
	if strings.Contains(err.Error(), "after decryption") {
		msg += " (not even after decryption: wrong key?)"
	}
	return msg
}

func byteOffset(err error) int {
	var pe *parttable.Error
	if errors.As(err, &pe) && pe.ByteOffset > 0 {
		return pe.ByteOffset
	}
	return 0
}

// checkTable holds a table to gen_esp32part's rules for a binary input, with its
// own offset (children of a nested table start after its sector) and the flash
// size the bootloader header declares.
func (r *reader) checkTable(in *Inspection, t *parttable.Table, off uint32, holder string, flashSize uint32) {
	err := t.ValidateBinary(parttable.Options{Offset: off, FlashSize: flashSize})
	if err == nil {
		return
	}
	where := fmt.Sprintf("partition table at %#x", off)
	if holder != "" {
		where += fmt.Sprintf(" (in %q)", holder)
	}
	var pe *parttable.Error
	if !errors.As(err, &pe) || pe.ByteOffset < 0 {
		in.add(Error, CodeTableInvalid, off, "", where+": "+err.Error())
		return
	}
	// Name the record by its flash offset, not its offset in the table.
	rec := off + uint32(pe.ByteOffset)
	if pe.Partition != "" {
		where += fmt.Sprintf(", record at %#x (%q)", rec, pe.Partition)
	}
	in.add(Error, CodeTableInvalid, rec, pe.Partition, where+": "+pe.Msg)
}

// followTable decides whether the nested table in ps is read, reporting why not.
func (r *reader) followTable(in *Inspection, ps PartitionSummary, depth int) bool {
	switch holder, seen := r.tableAt[ps.Offset]; {
	case seen:
		in.add(Error, CodeTableLoop, ps.Offset, ps.Name, fmt.Sprintf(
			"partition %q at %#x points back at %s, already read: not followed", ps.Name, ps.Offset, holder))
	case depth > MaxTableDepth:
		in.add(Error, CodeTableDepth, ps.Offset, ps.Name, fmt.Sprintf(
			"partition %q at %#x holds a table %d levels deep; at most %d are read (ESP-IDF uses 1, esp-at 2): not followed",
			ps.Name, ps.Offset, depth, MaxTableDepth))
	case len(in.Tables) >= MaxTables:
		in.add(Error, CodeTableCount, ps.Offset, ps.Name, fmt.Sprintf(
			"partition %q at %#x holds a table, but %d tables were already read (the limit): not followed",
			ps.Name, ps.Offset, len(in.Tables)))
	default:
		r.tableAt[ps.Offset] = fmt.Sprintf("the table in %q at %#x", ps.Name, ps.Offset)
		return true
	}
	return false
}

// checkChildren: a nested table's partitions lie inside the partition holding
// it (esp-at's at_customize, espcompose's `table {}`). That they start after the
// table's own sector is checkTable's "below" rule.
func (r *reader) checkChildren(in *Inspection, parent PartitionSummary) {
	hi := uint64(parent.Offset) + uint64(parent.Size)
	for _, e := range parent.table.Entries {
		if end := uint64(e.Offset) + uint64(e.Size); end > hi {
			in.add(Error, CodeOutsideParent, e.Offset, e.Name, fmt.Sprintf(
				"partition %q (%#x-%#x) in the table of %q runs past its end (%#x)", e.Name, e.Offset, end-1, parent.Name, hi))
		}
	}
}

// checkImages turns what was read into findings: images whose checksum, hash or
// signature fail, and partitions whose content could not be decoded.
func (r *reader) checkImages(in *Inspection) {
	if b := in.Bootloader; b != nil {
		c, _ := appimage.LookupChip(in.Chip)
		imageFindings(in, b, c.BootloaderOffset, "", "bootloader")
	}
	apps, valid := 0, 0
	for _, p := range in.Partitions {
		if p.Type == parttable.TypeApp {
			apps++
		}
		if p.Problem != "" {
			in.add(Error, problemCode(p), p.Offset, p.Name, fmt.Sprintf("partition %q at %#x: %s", p.Name, p.Offset, p.Problem))
		}
		if p.Image != nil {
			if imageFindings(in, p.Image, p.Offset, p.Name, fmt.Sprintf("app in %q", p.Name)) {
				valid++
			}
		}
	}
	if apps > 0 && valid == 0 {
		in.add(Error, CodeNoApp, 0, "", fmt.Sprintf("none of the %d app partitions holds a valid app image: the device has nothing to boot", apps))
	}
}

// imageFindings reports a failed checksum, appended SHA-256 or signature and
// says whether the image passed.
func imageFindings(in *Inspection, s *ImageSummary, off uint32, part, what string) bool {
	ok := true
	if !s.ChecksumOK {
		in.add(Error, CodeChecksum, off, part, fmt.Sprintf("%s at %#x: checksum does not match", what, off))
		ok = false
	}
	if s.SHA256Appended && !s.SHA256OK {
		in.add(Error, CodeSHA256, off, part, fmt.Sprintf("%s at %#x: appended SHA-256 does not match", what, off))
		ok = false
	}
	for i, sig := range s.Signatures {
		if !sig.Valid {
			in.add(Error, CodeSignature, off, part, fmt.Sprintf("%s at %#x: signature block %d (%s) is invalid: %s", what, off, i, sig.Scheme, sig.Problem))
			ok = false
		}
	}
	return ok
}

func problemCode(p PartitionSummary) string {
	switch {
	case p.Type == parttable.TypeApp && p.Data != nil:
		return CodeAppInvalid
	case p.Type == parttable.TypeData && p.Subtype == parttable.SubtypeDataOTA && p.Data != nil:
		return CodeOTAData
	case p.Type == parttable.TypeData && p.Subtype == 0x04 && p.Data != nil:
		return CodeNVSKeys
	case p.Type == parttable.TypeData && p.Subtype == parttable.SubtypeDataNVS && p.Data != nil:
		return CodeNVS
	}
	return CodeUnreadable
}

// flashSizeOf is the flash size the bootloader header declares, 0 when unknown.
func flashSizeOf(b *ImageSummary) uint32 {
	if b == nil {
		return 0
	}
	mb, err := strconv.Atoi(strings.TrimSuffix(b.FlashSize, "MB"))
	if err != nil || mb <= 0 || mb > 2048 {
		return 0
	}
	return uint32(mb) << 20
}
