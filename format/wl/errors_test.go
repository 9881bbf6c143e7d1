package wl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestWrapRejects(t *testing.T) {
	ok := DefaultOptions(0x20000)
	size, err := Layout(ok)
	if err != nil {
		t.Fatal(err)
	}
	fat := make([]byte, size)
	cases := []struct {
		name string
		fat  []byte
		opts func(*Options)
		want error
		text string
	}{
		{"unaligned size", fat, func(o *Options) { o.PartitionSize = 0x20000 + 512 }, ErrOptions, "multiple of 4096"},
		{"zero size", fat, func(o *Options) { o.PartitionSize = 0 }, ErrOptions, "multiple of 4096"},
		{"too small", fat, func(o *Options) { o.PartitionSize = 4 * 4096 }, ErrOptions, "no room"},
		{"safe with 4096 sectors", fat, func(o *Options) { o.Mode = ModeSafe }, ErrOptions, "512-byte sectors"},
		{"sector size", fat, func(o *Options) { o.SectorSize = 1024 }, ErrOptions, "sector size 1024"},
		{"unknown mode", fat, func(o *Options) { o.Mode = 7 }, ErrOptions, "unknown mode"},
		{"temp buffer", fat, func(o *Options) { o.TempBuffSize = 48 }, ErrOptions, "temp buffer"},
		{"short FAT", fat[:size-1], func(*Options) {}, ErrFATSize, "exactly"},
		{"long FAT", append(bytes.Clone(fat), 0), func(*Options) {}, ErrFATSize, "exactly"},
		{"FAT for perf given in safe mode", fat, func(o *Options) { o.Mode, o.SectorSize = ModeSafe, 512 }, ErrFATSize, "exactly"},
	}
	for _, c := range cases {
		o := ok
		c.opts(&o)
		img, err := Wrap(c.fat, o)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) || img != nil {
			t.Errorf("%s: Wrap = %d bytes, %v; want %v containing %q", c.name, len(img), err, c.want, c.text)
		}
	}
}

// validImage is a small wrapped image to damage.
func validImage(t *testing.T, mode Mode, sector int) ([]byte, Geometry) {
	t.Helper()
	o := DefaultOptions(0x20000)
	o.Mode, o.SectorSize, o.DeviceID = mode, sector, 0x12345678
	g, err := Plan(o)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Wrap(fakeFAT(rand.New(rand.NewPCG(5, 6)), g.FATSize, sector), o)
	if err != nil {
		t.Fatal(err)
	}
	return img, g
}

func TestUnwrapRejects(t *testing.T) {
	img, g := validImage(t, ModePerf, 4096)
	put := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	// resealState rewrites both state copies with a CRC, so a field check and not the CRC fires.
	resealState := func(field int, v uint32) []byte {
		b := bytes.Clone(img)
		for _, off := range g.StateOffsets {
			binary.LittleEndian.PutUint32(b[off+4*field:], v)
			binary.LittleEndian.PutUint32(b[off+60:], crcLE(b[off:off+60]))
		}
		return b
	}
	resealConfig := func(field int, v uint32) []byte {
		b := bytes.Clone(img)
		off := g.ConfigOffset
		binary.LittleEndian.PutUint32(b[off+4*field:], v)
		binary.LittleEndian.PutUint32(b[off+32:], crcLE(b[off:off+32]))
		return b
	}
	flip := func(off int) []byte {
		b := bytes.Clone(img)
		b[off] ^= 1
		return b
	}
	bothStates := flip(g.StateOffsets[0] + 8)
	bothStates[g.StateOffsets[1]+8] ^= 1

	erased := bytes.Repeat([]byte{0xFF}, len(img))
	cases := []struct {
		name string
		img  []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotWL, "not a WL partition"},
		{"unaligned", img[:len(img)-1], ErrNotWL, "not a WL partition"},
		{"erased flash", erased, ErrNotWL, "config sector at 0x1f000"},
		{"plain FAT", append(bytes.Clone(img[4096:4096+g.FATSize]), erased[:4*4096]...), ErrNotWL, "wl_config_t"},
		{"config CRC", flip(g.ConfigOffset + 4), ErrNotWL, "CRC mismatch"},
		{"truncated image", img[:len(img)-4096], ErrNotWL, "config sector"},
		{"both state CRCs", bothStates, ErrNotWL, "neither WL state copy"},
		{"config size", resealConfig(1, 0x40000), ErrCorrupt, "262144-byte partition"},
		{"config page size", resealConfig(2, 512), ErrCorrupt, "page size 512"},
		{"config record size", resealConfig(5, 32), ErrCorrupt, "record size 32"},
		{"config start", resealConfig(0, 0x9000), ErrCorrupt, "start address 0x9000"},
		{"config version 0", resealConfig(6, 0), ErrCorrupt, "must be set"},
		{"config temp buffer", resealConfig(7, 48), ErrCorrupt, "temp buffer"},
		{"state max pos", resealState(1, 5), ErrCorrupt, "spans 5 sectors"},
		{"state block size", resealState(5, 512), ErrCorrupt, "block size 512"},
		{"state version", resealState(6, 1), ErrCorrupt, "version 1"},
		{"state move count", resealState(2, 500), ErrCorrupt, "move count 500"},
		{"no boot signature", flip(4096 + 510), ErrCorrupt, "boot signature"},
		{"bytes per sector", put(img, 4096+11, 0x400), ErrCorrupt, "bytes per sector is 1024"},
		{"FAT size", put(img, 4096+19, 3), ErrCorrupt, "claims 12288 bytes"},
	}
	for _, c := range cases {
		fat, _, err := Unwrap(c.img)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) || fat != nil {
			t.Errorf("%s: Unwrap = %d bytes, %v; want %v containing %q", c.name, len(fat), err, c.want, c.text)
		}
	}
}

// TestUnwrapOneStateDamaged: WL_Flash::init recovers from the good copy, so
// Unwrap reads the image as the device would.
func TestUnwrapOneStateDamaged(t *testing.T) {
	img, g := validImage(t, ModeSafe, 512)
	want, wantOpts, err := Unwrap(img)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range g.StateOffsets {
		b := bytes.Clone(img)
		b[off+28] ^= 0x80 // device id byte
		fat, o, err := Unwrap(b)
		if err != nil || !bytes.Equal(fat, want) || o != wantOpts {
			t.Errorf("state at 0x%x damaged: %v, options %+v", off, err, o)
		}
	}
}

// TestSafeModeIsToldByTheFAT: the same WL structures hold a perf or a safe
// volume; the FAT boot sector's size decides, and a 4096-byte FAT of the
// safe size is refused because wl_fatfsgen cannot make it.
func TestSafeModeIsToldByTheFAT(t *testing.T) {
	img, g := validImage(t, ModeSafe, 512)
	if _, o, err := Unwrap(img); err != nil || o.Mode != ModeSafe || o.SectorSize != 512 {
		t.Fatalf("safe image: %+v, %v", o, err)
	}
	b := bytes.Clone(img)
	binary.LittleEndian.PutUint16(b[4096+11:], 4096)
	binary.LittleEndian.PutUint16(b[4096+19:], uint16(g.FATSize/4096))
	if _, _, err := Unwrap(b); !errors.Is(err, ErrCorrupt) {
		t.Errorf("4096-byte safe FAT: %v, want ErrCorrupt", err)
	}
}
