package merged

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/appimage"
)

func TestMergeErrors(t *testing.T) {
	one := []Part{{Addr: 0x1000, Data: []byte{1}}}
	cases := []struct {
		name  string
		opts  Options
		parts []Part
		want  error
		text  string
	}{
		{"chip", Options{Chip: "esp9000"}, one, appimage.ErrUnknownChip, "Invalid chip choice: 'esp9000' (choose from esp8266, esp32, esp32s2"},
		{"esp8266 patch", Options{Chip: "esp8266", FlashMode: "dio"}, []Part{{Addr: 0, Data: []byte{0xE9, 1, 2, 3, 4, 5, 6, 7, 8}}}, ErrOption, ""},
		{"auto chip", Options{Chip: "auto"}, one, appimage.ErrUnknownChip, "Please specify the chip argument"},
		{"format", Options{Chip: "esp32", Format: "elf"}, one, ErrOption, ""},
		{"mode", Options{Chip: "esp32", FlashMode: "quad"}, one, ErrOption, ""},
		{"freq", Options{Chip: "esp32", FlashFreq: "81m"}, one, ErrOption, ""},
		{"size", Options{Chip: "esp32", FlashSize: "3MB"}, one, ErrOption, ""},
		{"fill", Options{Chip: "esp32", FillFlashSize: "2MB-c1"}, one, ErrOption, ""},
		{"no input", Options{Chip: "esp32"}, nil, ErrNoInput, ""},
		{"target", Options{Chip: "esp32", TargetOffset: 0x2000}, one, ErrTargetOffset, "Input file offset 0x1000 is before this"},
		{"overlap", Options{Chip: "esp32"}, []Part{{Addr: 0x0, Data: []byte{1}, Name: "a.bin"}, {Addr: 0x800, Data: []byte{2}, Name: "b.bin"}},
			ErrOverlap, "Detected overlap at address: 0x800 for file: b.bin (conflicts with a.bin"},
		{"uf2 chunk", Options{Chip: "esp32", Format: FormatUF2, ChunkSize: 460}, one, nil, ""},
	}
	for _, c := range cases {
		_, err := Merge(c.opts, c.parts)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: got %v, want %v containing %q", c.name, err, c.want, c.text)
		}
	}
}

func TestMergeRawLayout(t *testing.T) {
	parts := []Part{
		{Addr: 0x3000, Data: []byte{3, 3}},
		{Addr: 0x1000, Data: []byte{1}},
		{Addr: 0x2000, Data: nil}, // empty input, like an empty file
	}
	out, err := Merge(Options{Chip: "esp32c3", TargetOffset: 0x1000, FillFlashSize: "256KB"}, parts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 256*1024-0x1000 || out[0] != 1 || out[0x2000] != 3 || out[0x2001] != 3 {
		t.Fatalf("layout wrong: len %#x", len(out))
	}
	if bytes.Count(out, []byte{0xFF}) != len(out)-3 {
		t.Error("gaps are not 0xFF")
	}
	if parts[0].Addr != 0x3000 {
		t.Error("caller's parts were reordered")
	}
}

func TestPrepareInput(t *testing.T) {
	hexData := []byte(":020010001122BB\n:00000001FF\n")
	got, err := PrepareInput(0x0E, hexData)
	if err != nil || !bytes.Equal(got, []byte{0xFF, 0xFF, 0x11, 0x22}) {
		t.Fatalf("got %x %v", got, err)
	}
	// Invalid UTF-8 soon after the EOF record makes Python fail to decode, so
	// esptool takes the file as raw binary.
	bad := append(append([]byte{}, hexData...), 0xFF)
	if got, _ := PrepareInput(0x10, bad); !bytes.Equal(got, bad) {
		t.Error("undecodable text should stay raw")
	}
	far := append(append([]byte{}, hexData...), bytes.Repeat([]byte{'x'}, 9000)...)
	far = append(far, 0xFF)
	if got, _ := PrepareInput(0x10, far); !bytes.Equal(got, []byte{0x11, 0x22}) {
		t.Error("bytes Python never reads should not matter")
	}
	raw := []byte(":not hex")
	if got, _ := PrepareInput(0, raw); !bytes.Equal(got, raw) {
		t.Error("malformed HEX should stay raw")
	}
	if _, err := PrepareInput(0, []byte(":020010001122BB\n:0100100033BC\n")); err == nil {
		t.Error("overlapping HEX records must fail")
	}
}

func BenchmarkMerge4MiB(b *testing.B) {
	boot, err := appimage.Build(appimage.BuildSpec{
		Chip: "esp32", FlashMode: "dio", FlashSize: "2MB",
		Segments: []appimage.BuildSegment{{Addr: 0x3FFF0000, Data: bytes.Repeat([]byte{1}, 0x4000)}},
	})
	if err != nil {
		b.Fatal(err)
	}
	app := bytes.Repeat([]byte{0xA5, 0x5A, 0, 1}, 0x100000-0x4000)
	parts := []Part{{Addr: 0x1000, Data: boot}, {Addr: 0x8000, Data: make([]byte, 0xC00)}, {Addr: 0x10000, Data: app}}
	opts := Options{Chip: "esp32", FlashMode: "qio", FlashFreq: "80m", FlashSize: "4MB", FillFlashSize: "4MB"}
	for _, f := range []Format{FormatRaw, FormatHex, FormatUF2} {
		b.Run(string(f), func(b *testing.B) {
			opts.Format = f
			b.SetBytes(4 << 20)
			for b.Loop() {
				if _, err := Merge(opts, parts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMergeESP8266(t *testing.T) {
	out, err := Merge(Options{Chip: "esp8266", Format: FormatUF2}, []Part{{Addr: 0, Data: []byte{0xE9, 1, 2, 3}}})
	if err != nil || len(out) != 512 || out[28] != 0xED || out[31] != 0x7E {
		t.Fatalf("esp8266 uf2: %v %x", err, out[28:32])
	}
}

func TestPrepareInputSpanLimit(t *testing.T) {
	// Two bytes 4 GiB apart: esptool would try to build a 4 GiB file.
	far := []byte(":0100000000FF\n:02000004FFFFFC\n:01FFFF000001\n:00000001FF\n")
	if _, err := PrepareInput(0, far); !errors.Is(err, ErrOption) {
		t.Fatalf("got %v", err)
	}
}
