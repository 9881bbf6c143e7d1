package verify

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/ihex"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/format/uf2"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// editTable decodes a plaintext table, lets edit change it and encodes it again, with
// or without its MD5 record.
func editTable(t *testing.T, plain []byte, md5 bool, edit func(*parttable.Table)) []byte {
	t.Helper()
	tb, err := parttable.Decode(plain[:parttable.TableSize])
	if err != nil {
		t.Fatal(err)
	}
	edit(tb)
	out, err := parttable.Encode(tb, parttable.Options{DisableMD5: !md5, FlashSize: 0})
	if err != nil {
		t.Fatal(err)
	}
	return append(out, plain[parttable.TableSize:]...)
}

func entryIndex(t *testing.T, tb *parttable.Table, name string) int {
	t.Helper()
	for i, e := range tb.Entries {
		if e.Name == name {
			return i
		}
	}
	t.Fatalf("no entry %s", name)
	return -1
}

// editNVS decodes the secure example's NVS partition, lets edit change its content and
// encodes it again with the same keys.
func editNVS(t *testing.T, in *Input, edit func(*nvs.Partition)) { editNVSVersion(t, in, 0, edit) }

// editNVSVersion is editNVS writing NVS format version (0: the manifest's).
func editNVSVersion(t *testing.T, in *Input, version int, edit func(*nvs.Partition)) {
	t.Helper()
	r := region(t, in, "nvs")
	st := in.Plan.Graph
	s, _ := st.Node(r.Stage)
	ns := s.(*stages.NVS)
	keys, err := stages.NVSKeys(&stages.Env{Keys: in.Keys}, ns.KeyName, ns.KeyScheme)
	if err != nil {
		t.Fatal(err)
	}
	d, err := nvs.Decode(file(t, in, r.File), &keys)
	if err != nil {
		t.Fatal(err)
	}
	edit(&d.Partition)
	if version == 0 {
		version = ns.Format
	}
	out, err := nvs.Encode(&d.Partition, nvs.Options{Size: r.Size, Version: version, Keys: &keys})
	if err != nil {
		t.Fatal(err)
	}
	setFile(t, in, r.File, out)
}

func nvsEntry(t *testing.T, p *nvs.Partition, ns, key string) *nvs.Entry {
	t.Helper()
	for i := range p.Namespaces {
		if p.Namespaces[i].Name != ns {
			continue
		}
		for j := range p.Namespaces[i].Entries {
			if p.Namespaces[i].Entries[j].Key == key {
				return &p.Namespaces[i].Entries[j]
			}
		}
	}
	t.Fatalf("no entry %s/%s", ns, key)
	return nil
}

// editMergedSegments decodes the HEX or UF2 image into address runs, lets edit change
// them, and encodes them again.
func segmentsOf(t *testing.T, in *Input, name string) []ihex.Segment {
	t.Helper()
	data := file(t, in, name)
	if strings.HasSuffix(name, ".hex") {
		f, err := ihex.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		return f.Segments
	}
	blocks, err := uf2.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	files, err := uf2.Files(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var segs []ihex.Segment
	for _, f := range files {
		segs = append(segs, ihex.Segment{Addr: f.Addr, Data: bytes.Clone(f.Data)})
	}
	return segs
}

func encodeUF2(t *testing.T, segs []ihex.Segment, family uint32) []byte {
	t.Helper()
	var files []uf2.File
	for _, s := range segs {
		files = append(files, uf2.File{Addr: s.Addr, Data: s.Data})
	}
	out, err := uf2.Encode(uf2.Options{FamilyID: family}, files...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// flipIn inverts the byte at flash address addr inside the runs.
func flipIn(t *testing.T, segs []ihex.Segment, addr uint32) {
	t.Helper()
	for _, s := range segs {
		if addr >= s.Addr && uint64(addr) < s.End() {
			s.Data[addr-s.Addr] ^= 0xFF
			return
		}
	}
	t.Fatalf("0x%x is in no segment", addr)
}

// signatureSector finds the Secure Boot V2 signature sector of a signed image.
func signatureSector(t *testing.T, plain []byte) int {
	t.Helper()
	img, err := appimage.Decode(plain)
	if err != nil {
		t.Fatal(err)
	}
	return (img.Len() + secureboot.SectorSize - 1) / secureboot.SectorSize * secureboot.SectorSize
}

// withPlan gives the test its own copy of the plan's regions, so it may rewire one.
func withPlan(in *Input) *planner.Plan {
	pl := *in.Plan
	pl.Regions = nil
	for _, r := range in.Plan.Regions {
		cp := *r
		pl.Regions = append(pl.Regions, &cp)
	}
	in.Plan = &pl
	return &pl
}

var corruptions = []corruption{
	// The merged image.
	{"merged image: byte flipped inside a region", "secure-production", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		m := mergedFile(t, in)
		setFile(t, in, m, flip(file(t, in, m), int(r.Offset)+0x100))
		return fmt.Sprintf("%s: region ota_0 at 0x%x differs from partitions/ota_0.bin (first difference at flash address 0x%x)", m, r.Offset, r.Offset+0x100)
	}},
	{"merged image: gap not erased", "secure-production", func(t *testing.T, in *Input) string {
		r := region(t, in, "partition-table")
		gap := int(r.Offset) + len(file(t, in, r.File)) // the table is 0xC00 bytes of its 0x1000 sector
		m := mergedFile(t, in)
		img := file(t, in, m)
		img[gap] = 0x00
		setFile(t, in, m, img)
		return fmt.Sprintf("%s: byte at 0x%x is 0x00 where nothing is written; erased flash is 0xFF", m, gap)
	}},
	{"merged image: shorter than fill_flash", "quickstart+uf2", func(t *testing.T, in *Input) string {
		m := mergedFile(t, in)
		img := file(t, in, m)
		setFile(t, in, m, img[:len(img)-0x1000])
		return fmt.Sprintf("%s: is %d bytes; fill_flash pads it to target.flash_size 4MB (4194304 bytes)", m, len(img)-0x1000)
	}},
	{"region file missing", "quickstart", func(t *testing.T, in *Input) string {
		var files = in.Files[:0:0]
		for _, f := range in.Files {
			if f.Name != "partitions/ota_0.bin" {
				files = append(files, f)
			}
		}
		in.Files = files
		return "region ota_0 (partitions/ota_0.bin): missing from the outputs"
	}},

	// Partition tables.
	{"table entry altered", "quickstart", func(t *testing.T, in *Input) string {
		var i int
		var old uint32
		setFile(t, in, "partition-table.bin", editTable(t, file(t, in, "partition-table.bin"), true, func(tb *parttable.Table) {
			i = entryIndex(t, tb, "ota_1")
			old = tb.Entries[i].Size
			tb.Entries[i].Size -= 0x10000
		}))
		return fmt.Sprintf("region partition-table (partition-table.bin): entry %d (ota_1): size 0x%x, the plan says 0x%x", i, old-0x10000, old)
	}},
	{"table MD5 record dropped", "quickstart", func(t *testing.T, in *Input) string {
		setFile(t, in, "partition-table.bin", editTable(t, file(t, in, "partition-table.bin"), false, func(*parttable.Table) {}))
		return "region partition-table (partition-table.bin): has no MD5 record, but the manifest enables md5"
	}},
	{"table unparseable", "quickstart", func(t *testing.T, in *Input) string {
		setFile(t, in, "partition-table.bin", flip(file(t, in, "partition-table.bin"), 0))
		return "region partition-table (partition-table.bin): does not parse as a partition table: "
	}},
	{"encrypted table: entry flag altered", "secure-production", func(t *testing.T, in *Input) string {
		var i int
		r := region(t, in, "partition-table")
		editEncrypted(t, in, r.File, r.Offset, func(plain []byte) []byte {
			return editTable(t, plain, true, func(tb *parttable.Table) {
				i = entryIndex(t, tb, "phy_init")
				tb.Entries[i].Encrypted = true
			})
		})
		return fmt.Sprintf("region partition-table (partition-table.bin): entry %d (phy_init): encrypted flag true, the manifest says false", i)
	}},
	{"nested table entry altered", "esp-at", func(t *testing.T, in *Input) string {
		r := region(t, in, "at_customize (table)")
		var i int
		var old uint32
		data := file(t, in, r.File)
		n := 2 * parttable.EntrySize
		md5 := data[n] == 0xEB && data[n+1] == 0xEB
		setFile(t, in, r.File, editTable(t, data, md5, func(tb *parttable.Table) {
			i = entryIndex(t, tb, "fs_storage")
			old = tb.Entries[i].Size
			tb.Entries[i].Size -= 0x1000
		}))
		return fmt.Sprintf("region at_customize (table) (partitions/at_customize.table.bin): entry %d (fs_storage): size 0x%x, the plan says 0x%x", i, old-0x1000, old)
	}},

	// Flash encryption.
	{"wrong flash key", "secure-production", func(t *testing.T, in *Input) string {
		in.Keys = fixedKeys{KeyStore: in.Keys, name: "flash", data: bytes.Repeat([]byte{0x5a}, 32)}
		return "region bootloader (bootloader.bin): does not decrypt with key.flash at 0x0 to the bytes it was encrypted from"
	}},
	{"OTA artifact encrypted for the other slot", "secure-production", func(t *testing.T, in *Input) string {
		setFile(t, in, "ota/app/ota_1.bin", file(t, in, "ota/app/ota_0.bin"))
		return fmt.Sprintf("ota/app/ota_1.bin: does not decrypt with key.flash at 0x%x to the signed app", region(t, in, "ota_1").Offset)
	}},
	{"app region left in plaintext", "secure-production", func(t *testing.T, in *Input) string {
		pl := withPlan(in)
		for _, r := range pl.Regions {
			if r.Name == "ota_0" {
				s, _ := pl.Graph.Node(r.Stage)
				r.Stage = s.(*stages.Encrypt).Dep
			}
		}
		return "region ota_0 (partitions/ota_0.bin): written in plaintext, but with flash encryption on the device reads it decrypted"
	}},
	{"NVS flash-encrypted", "secure-production", func(t *testing.T, in *Input) string {
		pl := withPlan(in)
		var encStage string
		for _, r := range pl.Regions {
			if r.Name == "otadata" {
				encStage = r.Stage
			}
		}
		for _, r := range pl.Regions {
			if r.Name == "nvs" {
				r.Stage = encStage
			}
		}
		return "region nvs (partitions/nvs.bin): flash-encrypted, but the device reads it as plaintext"
	}},

	// Signatures.
	{"V2 signature tampered", "secure-production", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		editEncrypted(t, in, r.File, r.Offset, func(plain []byte) []byte {
			blk := plain[signatureSector(t, plain):][:secureboot.BlockSize]
			blk[812+7] ^= 0x01 // inside the RSA signature
			binary.LittleEndian.PutUint32(blk[1196:], crc32.ChecksumIEEE(blk[:1196]))
			return plain
		})
		return "region ota_0 (partitions/ota_0.bin): Secure Boot V2 signature block 0 does not verify with key.secure_boot"
	}},
	{"V2 signature by another key", "secure-production", func(t *testing.T, in *Input) string {
		pem, err := stages.GenerateKey("rsa-3072", rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		other, err := signers.NewLocalPEM("secure_boot", pem, nil)
		if err != nil {
			t.Fatal(err)
		}
		in.Signers = signers.Set{"secure_boot": other}
		return "region bootloader (bootloader.bin): Secure Boot V2 signature block 0 does not verify with key.secure_boot"
	}},
	{"V1 signature tampered", "v1", func(t *testing.T, in *Input) string {
		data := file(t, in, "partitions/factory.bin")
		img, err := appimage.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		setFile(t, in, "partitions/factory.bin", flip(data, img.Len()+10))
		return "region factory (partitions/factory.bin): Secure Boot V1 signature does not verify with key.sb"
	}},
	{"V1 bootloader digest tampered", "v1", func(t *testing.T, in *Input) string {
		setFile(t, in, "bootloader.bin", flip(file(t, in, "bootloader.bin"), 130))
		return "region bootloader (bootloader.bin): the Secure Boot V1 digest sector does not match the bootloader after it (key.sb)"
	}},

	// NVS.
	{"NVS integer changed", "secure-production", func(t *testing.T, in *Input) string {
		editNVS(t, in, func(p *nvs.Partition) { nvsEntry(t, p, "config", "report_s").Uint = 301 })
		return "region nvs (partitions/nvs.bin): config/report_s is 301; the manifest declares 300"
	}},
	{"NVS blob changed", "secure-production", func(t *testing.T, in *Input) string {
		var n int
		editNVS(t, in, func(p *nvs.Partition) {
			e := nvsEntry(t, p, "certs", "ca")
			e.Blob = bytes.Clone(e.Blob)
			e.Blob[5] ^= 0xFF
			n = len(e.Blob)
		})
		return fmt.Sprintf("region nvs (partitions/nvs.bin): certs/ca holds a %d-byte blob that differs from the declared %d-byte one at byte 5", n, n)
	}},
	{"NVS string changed", "secure-production", func(t *testing.T, in *Input) string {
		editNVS(t, in, func(p *nvs.Partition) { nvsEntry(t, p, "config", "region").Str = "us915" })
		return "region nvs (partitions/nvs.bin): config/region holds a 5-byte string that differs from the declared 5-byte one at byte 0"
	}},
	{"NVS key renamed", "secure-production", func(t *testing.T, in *Input) string {
		editNVS(t, in, func(p *nvs.Partition) { nvsEntry(t, p, "config", "region").Key = "regio" })
		return "region nvs (partitions/nvs.bin): config/region is declared but missing\nregion nvs (partitions/nvs.bin): config/regio is not declared"
	}},
	{"NVS type changed", "secure-production", func(t *testing.T, in *Input) string {
		editNVS(t, in, func(p *nvs.Partition) { e := nvsEntry(t, p, "config", "report_s"); e.Type, e.Int = nvs.I32, 300 })
		return "region nvs (partitions/nvs.bin): config/report_s has type i32; the manifest declares u32"
	}},
	{"NVS read with the wrong keys", "secure-production", func(t *testing.T, in *Input) string {
		k, err := nvs.GenerateKeys(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		in.Keys = fixedKeys{KeyStore: in.Keys, name: "nvs", data: k.MarshalPartition()}
		return "region nvs (partitions/nvs.bin): does not decode as NVS with the keys of key.nvs: "
	}},
	{"nvs_keys partition holds other keys", "secure-production", func(t *testing.T, in *Input) string {
		r := region(t, in, "nvs_keys")
		k, err := nvs.GenerateKeys(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		editEncrypted(t, in, r.File, r.Offset, func([]byte) []byte { return k.MarshalPartition() })
		return "region nvs_keys (partitions/nvs_keys.bin): does not hold the NVS keys of key.nvs"
	}},

	// Intel HEX and UF2.
	{"hex byte differs", "quickstart", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		m := in.Plan.Merged[1].File
		segs := segmentsOf(t, in, m)
		flipIn(t, segs, r.Offset+0x20)
		out, err := ihex.EncodeSegments(segs...)
		if err != nil {
			t.Fatal(err)
		}
		setFile(t, in, m, out)
		return fmt.Sprintf("%s: region ota_0 at 0x%x differs from partitions/ota_0.bin (first difference at flash address 0x%x)", m, r.Offset, r.Offset+0x20)
	}},
	{"hex holds extra data", "quickstart", func(t *testing.T, in *Input) string {
		m := in.Plan.Merged[1].File
		segs := append(segmentsOf(t, in, m), ihex.Segment{Addr: 0x3F0000, Data: []byte{1, 2, 3}})
		out, err := ihex.EncodeSegments(segs...)
		if err != nil {
			t.Fatal(err)
		}
		setFile(t, in, m, out)
		return m + ": holds data at 0x3f0000 where nothing is written"
	}},
	{"uf2 byte differs", "quickstart+uf2", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		m := in.Plan.Merged[2].File
		segs := segmentsOf(t, in, m)
		flipIn(t, segs, r.Offset+0x30)
		setFile(t, in, m, encodeUF2(t, segs, in.Plan.Chip.UF2FamilyID))
		return fmt.Sprintf("%s: region ota_0 at 0x%x differs from partitions/ota_0.bin (first difference at flash address 0x%x)", m, r.Offset, r.Offset+0x30)
	}},
	{"uf2 misses a region", "quickstart+uf2", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		m := in.Plan.Merged[2].File
		var segs []ihex.Segment
		for _, s := range segmentsOf(t, in, m) {
			if s.Addr != r.Offset {
				segs = append(segs, s)
			}
		}
		setFile(t, in, m, encodeUF2(t, segs, in.Plan.Chip.UF2FamilyID))
		return fmt.Sprintf("%s: holds nothing at 0x%x, inside region ota_0 (partitions/ota_0.bin)", m, r.Offset)
	}},
	{"uf2 for another chip family", "quickstart+uf2", func(t *testing.T, in *Input) string {
		m := in.Plan.Merged[2].File
		setFile(t, in, m, encodeUF2(t, segmentsOf(t, in, m), 0x12345678))
		return fmt.Sprintf("%s: block 0 has family id 0x12345678; %s's is 0x%08x", m, in.Plan.Chip.Name, in.Plan.Chip.UF2FamilyID)
	}},

	// Flash arguments.
	{"flash_args offset moved", "quickstart", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		old := fmt.Sprintf("0x%x partitions/ota_0.bin", r.Offset)
		args := string(file(t, in, "flash_args"))
		if !strings.Contains(args, old) {
			t.Fatalf("flash_args has no %q:\n%s", old, args)
		}
		setFile(t, in, "flash_args", []byte(strings.Replace(args, old, "0x3f0000 partitions/ota_0.bin", 1)))
		return fmt.Sprintf("flash_args: does not write partitions/ota_0.bin at 0x%x\nflash_args: writes partitions/ota_0.bin at 0x3f0000, where the plan writes nothing", r.Offset)
	}},
	{"flasher_args.json names another file", "quickstart", func(t *testing.T, in *Input) string {
		r := region(t, in, "ota_0")
		old := fmt.Sprintf("\"0x%x\" : \"partitions/ota_0.bin\"", r.Offset)
		args := string(file(t, in, "flasher_args.json"))
		if !strings.Contains(args, old) {
			t.Fatalf("flasher_args.json has no %q:\n%s", old, args)
		}
		setFile(t, in, "flasher_args.json", []byte(strings.Replace(args, old, fmt.Sprintf("\"0x%x\" : \"partitions/ota_1.bin\"", r.Offset), 1)))
		return fmt.Sprintf("flasher_args.json: writes partitions/ota_1.bin at 0x%x; the plan puts partitions/ota_0.bin there", r.Offset)
	}},

	// OTA.
	{"otadata boots the other slot", "quickstart", func(t *testing.T, in *Input) string {
		b, err := otadata.Select(1, 2)
		if err != nil {
			t.Fatal(err)
		}
		setFile(t, in, "partitions/otadata.bin", b)
		return "region otadata (partitions/otadata.bin): selects ota_1; the manifest's boot names ota_0"
	}},
	{"otadata not blank", "secure-production", func(t *testing.T, in *Input) string {
		r := region(t, in, "otadata")
		b, err := otadata.Select(0, 2)
		if err != nil {
			t.Fatal(err)
		}
		editEncrypted(t, in, r.File, r.Offset, func([]byte) []byte { return b })
		return "region otadata (partitions/otadata.bin): selects ota_0; the manifest sets no boot, so it should be blank"
	}},
	{"OTA artifact differs from its slot", "secure-production", func(t *testing.T, in *Input) string {
		setFile(t, in, "ota/app/ota_0.bin", flip(file(t, in, "ota/app/ota_0.bin"), 0x40))
		return "ota/app/ota_0.bin: differs from partitions/ota_0.bin, which holds the same image in slot ota_0 (first difference at byte 0x40)"
	}},

	// Images.
	{"app region does not hold the image", "quickstart", func(t *testing.T, in *Input) string {
		setFile(t, in, "partitions/ota_0.bin", flip(file(t, in, "partitions/ota_0.bin"), 0x100))
		return "region ota_0 (partitions/ota_0.bin): does not hold image.app (images/app.bin): first difference at byte 0x100"
	}},
	{"bootloader header not the target's", "quickstart", func(t *testing.T, in *Input) string {
		b, err := appimage.SetFlashParams(file(t, in, "bootloader.bin"), in.Plan.Chip.Name, "keep", "keep", "8MB")
		if err != nil {
			t.Fatal(err)
		}
		setFile(t, in, "bootloader.bin", b)
		return "region bootloader (bootloader.bin): bootloader header says flash_size 8MB, target.flash_size is 4MB"
	}},
	{"fill partition not filled", "v1", func(t *testing.T, in *Input) string {
		setFile(t, in, "partitions/storage.bin", flip(file(t, in, "partitions/storage.bin"), 0x10))
		return "region storage (partitions/storage.bin): is not filled with 0x00: byte 0x10 is 0xff"
	}},
	// More of the same checks, from other angles.
	{"region file larger than its region", "quickstart", func(t *testing.T, in *Input) string {
		r := region(t, in, "otadata")
		setFile(t, in, r.File, append(file(t, in, r.File), 0xFF))
		return fmt.Sprintf("region otadata (partitions/otadata.bin): %d bytes do not fit the region's %d (0x%x at 0x%x)", r.Size+1, r.Size, r.Size, r.Offset)
	}},
	{"encrypted region carries more than its padding", "secure-production", func(t *testing.T, in *Input) string {
		r := region(t, in, "partition-table")
		editEncrypted(t, in, r.File, r.Offset, func(plain []byte) []byte { return append(plain, make([]byte, 128)...) })
		return fmt.Sprintf("region partition-table (partition-table.bin): decrypts to the bytes it was encrypted from followed by bytes that are not erased padding (byte 0x%x)", parttable.TableSize)
	}},
	{"OTA artifact for another offset than its slot", "secure-production", func(t *testing.T, in *Input) string {
		pl := withPlan(in)
		pl.OTA = append(pl.OTA[:0:0], pl.OTA...)
		pl.OTA[1].Offset += 0x10000
		return fmt.Sprintf("ota/app/ota_1.bin: is for 0x%x, but slot ota_1 is at 0x%x", pl.OTA[1].Offset, pl.OTA[1].Offset-0x10000)
	}},
	{"NVS format version differs", "secure-production", func(t *testing.T, in *Input) string {
		editNVSVersion(t, in, 1, func(*nvs.Partition) {})
		return "region nvs (partitions/nvs.bin): is NVS format version 1; the manifest declares 2"
	}},
	{"V2 signature block missing for a configured key", "secure-production", func(t *testing.T, in *Input) string {
		pl := withPlan(in)
		cfg := *pl.Config
		sec := *cfg.Security
		sb := *sec.SecureBoot
		sb.Keys = append(append(sb.Keys[:0:0], sb.Keys...), sb.Keys[0])
		sec.SecureBoot, cfg.Security, pl.Config = &sb, &sec, &cfg
		return "region ota_0 (partitions/ota_0.bin): has no valid Secure Boot V2 signature block 1 for key.secure_boot\n" +
			"region ota_0 (partitions/ota_0.bin): has 1 Secure Boot V2 signature block(s); the manifest configures 2 key(s)"
	}},
	{"bootloader image damaged", "quickstart", func(t *testing.T, in *Input) string {
		setFile(t, in, "bootloader.bin", flip(file(t, in, "bootloader.bin"), 0x40))
		return "region bootloader (bootloader.bin): bootloader checksum does not match"
	}},
	{"merged image cut short", "secure-production", func(t *testing.T, in *Input) string {
		m := mergedFile(t, in)
		img := file(t, in, m)
		r := region(t, in, "ota_0")
		setFile(t, in, m, img[:len(img)-0x1000])
		return fmt.Sprintf("%s: ends at 0x%x, before region ota_0 (0x%x-0x%x)", m, len(img)-0x1000, r.Offset, len(img))
	}},
	{"hex not Intel HEX", "quickstart", func(t *testing.T, in *Input) string {
		m := in.Plan.Merged[1].File
		setFile(t, in, m, []byte(":zz\n"))
		return m + ": does not decode as Intel HEX: "
	}},
	{"no key store", "secure-production", func(t *testing.T, in *Input) string {
		in.Keys = nil
		return "region bootloader (bootloader.bin): cannot decrypt with key.flash: no key store to read key.flash from"
	}},
	{"no signer for a signing key", "secure-production", func(t *testing.T, in *Input) string {
		in.Signers = signers.Set{}
		return "region bootloader (bootloader.bin): cannot get the public key of key.secure_boot: no signer for key \"secure_boot\""
	}},
}

// TestNoKeyBytesInMessages: a wrong key, and the right one, never appear in what a
// failed verify says.
func TestNoKeyBytesInMessages(t *testing.T) {
	in := built(t, "secure-production")
	real, err := in.Keys.Secret("flash")
	if err != nil {
		t.Fatal(err)
	}
	wrong := bytes.Repeat([]byte{0x5a}, 32)
	in.Keys = fixedKeys{KeyStore: in.Keys, name: "flash", data: wrong}
	got := failures(t, in)
	for _, k := range [][]byte{real, wrong} {
		for _, enc := range []string{string(k), fmt.Sprintf("%x", k), fmt.Sprintf("%X", k), fmt.Sprintf("%x", k[:8])} {
			if strings.Contains(got, enc) {
				t.Fatalf("key material in the messages:\n%s", got)
			}
		}
	}
}
