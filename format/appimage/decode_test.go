package appimage

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func builtApp(t testing.TB) []byte {
	t.Helper()
	b, err := Build(buildCases[0].spec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeErrors(t *testing.T) {
	app := builtApp(t)
	img, err := Decode(app)
	if err != nil {
		t.Fatal(err)
	}
	mut := func(off int, v byte) []byte {
		b := append([]byte{}, app...)
		b[off] = v
		return b
	}
	cases := []struct {
		name   string
		in     []byte
		want   error
		offset int
	}{
		{"empty", nil, ErrTruncated, 0},
		{"magic", mut(0, 0xEA), ErrBadMagic, 0},
		{"short header", app[:20], ErrTruncated, 20},
		{"append digest byte", mut(23, 2), ErrBadHeader, 23},
		{"segment cut", app[:100], ErrTruncated, 24},
		{"no checksum", app[:img.ChecksumOffset], ErrTruncated, img.ChecksumOffset},
		{"segment count", mut(1, 40), ErrTruncated, -1},
	}
	for _, c := range cases {
		_, err := Decode(c.in)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			continue
		}
		var oe *OffsetError
		if !errors.As(err, &oe) {
			t.Errorf("%s: %v carries no offset", c.name, err)
		} else if c.offset >= 0 && oe.Offset != c.offset {
			t.Errorf("%s: offset %d, want %d", c.name, oe.Offset, c.offset)
		}
	}
}

func TestTooManySegments(t *testing.T) {
	segs := make([]BuildSegment, 17)
	for i := range segs {
		segs[i] = BuildSegment{0x3FFB0000 + uint32(i)*0x100, []byte{1, 2, 3, 4}}
	}
	if _, err := Build(BuildSpec{Chip: "esp32", Segments: segs}); !errors.Is(err, ErrTooManySegments) {
		t.Fatalf("Build: %v", err)
	}
	// Hand-made image with 17 empty segments.
	b := make([]byte, HeaderLen+17*segmentHeaderLen)
	b[0], b[1] = ImageMagic, 17
	for i := 0; i < 17; i++ {
		copy(b[HeaderLen+i*8:], []byte{0, 0, 0xFB, 0x3F})
	}
	b = append(b, make([]byte, 16)...)
	if _, err := Decode(b); !errors.Is(err, ErrTooManySegments) {
		t.Fatalf("Decode: %v", err)
	}
}

func TestImageModel(t *testing.T) {
	spec := buildCases[0].spec
	spec.PadToSize = 0x1000
	b, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	sig := bytes.Repeat([]byte{0x5A}, 0x1000)
	b = append(b, sig...)
	img, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if img.Len()%16 != 0 || img.Len() != img.DataLen+32 {
		t.Errorf("Len %d DataLen %d", img.Len(), img.DataLen)
	}
	if len(img.Trailer) != len(b)-img.Len() || !bytes.HasSuffix(img.Trailer, sig) {
		t.Errorf("trailer of %d bytes", len(img.Trailer))
	}
	if !img.SHA256Valid() || !img.ChecksumValid() {
		t.Error("digest or checksum invalid")
	}
	c, _ := LookupChip("esp32")
	if err := img.CheckChip(c); err != nil {
		t.Error(err)
	}
	s3, _ := LookupChip("ESP32-S3")
	if err := img.CheckChip(s3); !errors.Is(err, ErrWrongChip) {
		t.Errorf("CheckChip: %v", err)
	}
	if m, _ := img.FlashModeName(); m != "dio" {
		t.Errorf("mode %q", m)
	}
	if s, _ := img.FlashSizeName(); s != "4MB" {
		t.Errorf("size %q", s)
	}
	if f, _ := img.FlashFreqName(c); f != "40m" {
		t.Errorf("freq %q", f)
	}
	d := img.AppDesc
	if d == nil || d.Version != "v1.2.3" || d.SecureVersion != 3 || d.IDFVersion != "v5.3.1" || d.Date != "Jan  2 2025" ||
		d.MaxEfuseBlkRevFull != 199 || d.MMUPageSizeLog2 != 16 {
		t.Errorf("app desc %+v", d)
	}
	// A corrupted byte in the image proper breaks the digest.
	b[HeaderLen+8] ^= 1
	img, _ = Decode(b)
	if img.SHA256Valid() || img.ChecksumValid() {
		t.Error("corruption not detected")
	}
}

func TestChipTable(t *testing.T) {
	want := map[string]struct {
		id   uint16
		boot uint32
	}{
		"esp32": {0, 0x1000}, "esp32s2": {2, 0x1000}, "esp32c3": {5, 0}, "esp32s3": {9, 0},
		"esp32c2": {12, 0}, "esp32c6": {13, 0}, "esp32h2": {16, 0}, "esp32p4": {18, 0x2000},
		"esp32c5": {23, 0}, "esp32c61": {20, 0},
	}
	for name, w := range want {
		c, err := LookupChip(name)
		if err != nil {
			t.Fatal(err)
		}
		if c.ImageChipID != w.id || c.BootloaderOffset != w.boot {
			t.Errorf("%s: id %d offset 0x%x", name, c.ImageChipID, c.BootloaderOffset)
		}
	}
	c2, _ := LookupChip("esp32c2")
	if code, err := c2.FlashFreqCode("60m"); err != nil || code != 0xF {
		t.Errorf("c2 60m: %x %v", code, err)
	}
	if _, err := c2.FlashFreqCode("80m"); !errors.Is(err, ErrFlashParam) {
		t.Errorf("c2 80m: %v", err)
	}
	if _, err := LookupChip("esp8266"); !errors.Is(err, ErrUnknownChip) {
		t.Errorf("esp8266: %v", err)
	}
}

// Real Espressif images from ../shared/reference-data, when present.
func TestReferenceImages(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/reference-data/*.bin")
	if len(files) == 0 {
		t.Skip("../shared/reference-data absent")
	}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || len(b) == 0 || b[0] != ImageMagic {
			continue
		}
		img, err := Decode(b)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		seen++
		// Some esptool test images carry a deliberately wrong digest, so only
		// the image proper's extent is checked here.
		if img.Len()+len(img.Trailer) != len(b) {
			t.Errorf("%s: extent %d + trailer %d != %d", filepath.Base(f), img.Len(), len(img.Trailer), len(b))
		}
		if _, err := Info(img, ChipAuto, 2); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
	if seen == 0 {
		t.Skip("no firmware images in reference-data")
	}
}

func FuzzBuildDecode(f *testing.F) {
	f.Add(uint8(0), uint16(0x100), uint16(0x40), uint16(0x300), true, "proj")
	f.Add(uint8(4), uint16(0x10), uint16(0x1000), uint16(0), false, "")
	f.Add(uint8(9), uint16(0xFFF0), uint16(0x4), uint16(0x24), true, "a-very-long-project-name-xxxxxxx")
	f.Fuzz(func(t *testing.T, chipIdx uint8, n1, n2, n3 uint16, withDesc bool, project string) {
		c := chips[int(chipIdx)%len(chips)]
		if len(c.MemoryMap) == 0 {
			return
		}
		var segs []BuildSegment
		add := func(region string, off uint32, n uint16) {
			if n == 0 {
				return
			}
			if a := regionStart(&c, region); a != 0 {
				segs = append(segs, BuildSegment{a + off, fill(uint32(n), int(n))})
			}
		}
		add("IRAM", 0x400, n1)
		add("DRAM", 0x800, n2)
		add("IROM", 0x20, n3)
		spec := BuildSpec{Chip: c.Name, Entry: 0x40000000, Segments: segs}
		if withDesc {
			spec.AppDesc = &AppDesc{ProjectName: project, Version: "1"}
		}
		b, err := Build(spec)
		if err != nil {
			return
		}
		img, err := Decode(b)
		if err != nil {
			t.Fatalf("decode own output: %v", err)
		}
		if !img.ChecksumValid() || !img.SHA256Valid() || len(img.Trailer) != 0 || img.Len() != len(b) {
			t.Fatal("built image does not verify")
		}
		if withDesc && c.IsFlashAddr(regionStart(&c, "DROM")+descAddrOffset) && (img.AppDesc == nil || img.AppDesc.ProjectName != project) {
			t.Fatalf("app desc lost: %+v", img.AppDesc)
		}
		// On chips whose IROM and DROM windows coincide (ESP32-P4), esptool reads
		// every flash segment as a descriptor candidate and fails on short ones;
		// Info reports that as ErrBadDescriptor rather than inventing output.
		if _, err := Info(img, c.Name, 2); err != nil && !errors.Is(err, ErrBadDescriptor) {
			t.Fatal(err)
		}
	})
}

func BenchmarkDecodeApp(b *testing.B) {
	spec := buildCases[0].spec
	spec.Segments = append([]BuildSegment{}, spec.Segments...)
	spec.Segments[3].Data = fill(4, 1<<20)
	app, err := Build(spec)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(app)))
	for b.Loop() {
		if _, err := Decode(app); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDescribe(t *testing.T) {
	img, err := Decode(builtApp(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Describe(img, ChipAuto)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"chip":"esp32"`, `"flash_mode":"dio"`, `"flash_size":"4MB"`, `"max_rev":"v3.99"`,
		`"memory_types":["DROM"]`, `"project_name":"espcompose-esp32"`, `"sha256_valid":true`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("summary lacks %s: %s", want, b)
		}
	}
}

func TestCheck(t *testing.T) {
	app := builtApp(t)
	if _, err := Check(app, "esp32"); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(app, "esp32c3"); !errors.Is(err, ErrWrongChip) {
		t.Errorf("wrong chip: %v", err)
	}
	img, _ := Decode(app)
	bad := append([]byte{}, app...)
	bad[img.ChecksumOffset] ^= 0xFF
	if _, err := Check(bad, "esp32"); !errors.Is(err, ErrChecksum) {
		t.Errorf("checksum: %v", err)
	}
	bad = append([]byte{}, app...)
	bad[len(bad)-1] ^= 0xFF
	if _, err := Check(bad, "esp32"); !errors.Is(err, ErrDigest) {
		t.Errorf("digest: %v", err)
	}
	if _, err := Check(app[:50], "esp32"); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated: %v", err)
	}
}

func TestFlashSizeBytes(t *testing.T) {
	for in, want := range map[string]uint32{"256KB": 256 << 10, "4MB": 4 << 20, "128MB": 128 << 20} {
		if got, err := FlashSizeBytes(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"", "MB", "4GB", "4096MB", "-1MB", "4 MB"} {
		if _, err := FlashSizeBytes(in); !errors.Is(err, ErrFlashParam) {
			t.Errorf("%q accepted", in)
		}
	}
}

// FuzzDecode feeds arbitrary bytes: nothing may panic, and what decodes must be
// internally consistent.
func FuzzDecode(f *testing.F) {
	f.Add(builtApp(f)[:600])
	v2, _ := os.ReadFile("testdata/esp8266_v2.bin")
	f.Add(v2)
	f.Add([]byte{0xE9, 1, 2, 0x20, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := Decode(b)
		if err == nil {
			if img.Len()+len(img.Trailer) != len(b) || img.DataLen%16 != 0 {
				t.Fatalf("extent %d+%d of %d, data %d", img.Len(), len(img.Trailer), len(b), img.DataLen)
			}
			_, _ = Info(img, ChipAuto, 2)
			_, _ = Describe(img, "esp32")
			_, _ = SetFlashParams(b, "esp32", "dio", "80m", "4MB")
		}
		for _, chip := range []string{ChipAuto, "esp8266", "esp32c3"} {
			_, _ = InfoBytes(b, chip, 1)
			_, _ = InfoBytes(b, chip, 2)
		}
	})
}
