package wl

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// fakeFAT is a random payload of exactly size bytes carrying the boot-sector
// fields Unwrap reads (bytes per sector, total sectors, signature), so the
// WL layer is tested without a FAT builder.
func fakeFAT(rng *rand.Rand, size, bps int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	binary.LittleEndian.PutUint16(b[11:], uint16(bps))
	if n := size / bps; n < 1<<16 {
		binary.LittleEndian.PutUint16(b[19:], uint16(n))
	} else {
		binary.LittleEndian.PutUint16(b[19:], 0)
		binary.LittleEndian.PutUint32(b[32:], uint32(n))
	}
	b[510], b[511] = 0x55, 0xAA
	return b
}

type combo struct {
	size, sector int
	mode         Mode
}

// combos covers both modes and sector sizes over small, state-spilling
// (more than 252 WL sectors: two state sectors) and FAT16-sized partitions.
func combos() []combo {
	var out []combo
	for _, size := range []int{5 * 4096, 0x8000, 0x20000, 0xFC000, 0x100000, 0x101000, 0x300000} {
		out = append(out, combo{size, 4096, ModePerf}, combo{size, 512, ModePerf})
		if size >= 7*4096 {
			out = append(out, combo{size, 512, ModeSafe})
		}
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, c := range combos() {
		o := DefaultOptions(c.size)
		o.SectorSize, o.Mode, o.DeviceID = c.sector, c.mode, rng.Uint32()
		size, err := Layout(o)
		if err != nil {
			t.Fatalf("%+v: Layout: %v", c, err)
		}
		fat := fakeFAT(rng, size, c.sector)
		img, err := Wrap(fat, o)
		if err != nil {
			t.Fatalf("%+v: Wrap: %v", c, err)
		}
		if len(img) != c.size {
			t.Fatalf("%+v: image is %d bytes", c, len(img))
		}
		back, got, err := Unwrap(img)
		if err != nil {
			t.Fatalf("%+v: Unwrap: %v", c, err)
		}
		if !bytes.Equal(back, fat) {
			t.Errorf("%+v: FAT changed by the round trip", c)
		}
		if got != o {
			t.Errorf("%+v: options %+v, want %+v", c, got, o)
		}
		again, err := Wrap(back, got)
		if err != nil || !bytes.Equal(again, img) {
			t.Errorf("%+v: re-Wrap differs (err %v)", c, err)
		}
	}
}

// TestOptionsDefaults: zero Version/UpdateRate/TempBuffSize mean the
// reference's values, and other values land in both structures.
func TestOptionsDefaults(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	o := Options{PartitionSize: 0x20000, SectorSize: 4096, Mode: ModePerf, DeviceID: 7}
	size, _ := Layout(o)
	fat := fakeFAT(rng, size, 4096)
	a, err := Wrap(fat, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Wrap(fat, DefaultOptions(0x20000))
	if err != nil {
		t.Fatal(err)
	}
	// Only the device id and the state CRCs differ.
	_, got, err := Unwrap(a)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.UpdateRate != 16 || got.TempBuffSize != 32 || got.DeviceID != 7 {
		t.Errorf("defaults not written: %+v", got)
	}
	if bytes.Equal(a, b) {
		t.Error("device id did not change the image")
	}
	o.Version, o.UpdateRate, o.TempBuffSize = 3, 8, 64
	c, err := Wrap(fat, o)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err = Unwrap(c)
	if err != nil {
		t.Fatal(err)
	}
	if got != o {
		t.Errorf("options %+v, want %+v", got, o)
	}
}

// simulateWear moves the dummy sector k times the way WL_Flash::updateWL
// does on a device (physical copies, position records, move count), so that
// Unwrap's address mapping is checked against an independent model.
func simulateWear(t testing.TB, img []byte, k int) {
	t.Helper()
	g, err := Plan(Options{PartitionSize: len(img), SectorSize: 4096, Mode: ModePerf})
	if err != nil {
		t.Fatal(err)
	}
	st, ok := decodeState(img[g.StateOffsets[0]:])
	if !ok {
		t.Fatal("state CRC")
	}
	const page = WLSectorSize
	pos, maxPos := 0, int(st.MaxPos)
	for ; k > 0; k-- {
		src := pos + 1
		if src >= maxPos {
			src = 0
		}
		copy(img[pos*page:(pos+1)*page], img[src*page:(src+1)*page])
		// The sector just vacated is the new dummy; a device may leave anything there.
		for i := src * page; i < (src+1)*page; i++ {
			img[i] = 0xA5
		}
		var rec [16]byte
		for i := 0; i < 4; i++ {
			var w [4]byte
			binary.LittleEndian.PutUint32(w[:], st.DeviceID+uint32(pos)*4+uint32(i))
			binary.LittleEndian.PutUint32(rec[4*i:], crcLE(w[:]))
		}
		for _, off := range g.StateOffsets {
			copy(img[off+StateHeaderSize+pos*StateRecordSize:], rec[:])
		}
		pos++
		if pos >= maxPos {
			pos = 0
			st.MoveCount++
			if int(st.MoveCount) >= maxPos-1 {
				st.MoveCount = 0
			}
			for _, off := range g.StateOffsets {
				for i := off; i < off+g.StateSectors*page; i++ {
					img[i] = 0xFF
				}
				copy(img[off:], encodeState(st))
			}
		}
	}
}

func TestUnwrapAfterWear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []combo{{0x10000, 4096, ModePerf}, {0x10000, 512, ModeSafe}, {0x20000, 512, ModePerf}} {
		o := DefaultOptions(c.size)
		o.SectorSize, o.Mode, o.DeviceID = c.sector, c.mode, rng.Uint32()
		g, _ := Plan(o)
		fat := fakeFAT(rng, g.FATSize, c.sector)
		clean, err := Wrap(fat, o)
		if err != nil {
			t.Fatal(err)
		}
		// Up to several full cycles of the dummy through the flash, so the
		// move count grows and wraps.
		for _, k := range []int{1, 2, g.MaxPos - 1, g.MaxPos, g.MaxPos + 1, 3*g.MaxPos + 5, (g.MaxPos - 1) * g.MaxPos, (g.MaxPos-1)*g.MaxPos + 3} {
			img := bytes.Clone(clean)
			simulateWear(t, img, k)
			back, got, err := Unwrap(img)
			if err != nil {
				t.Fatalf("%+v after %d moves: %v", c, k, err)
			}
			// Safe mode's dump sectors are not part of the FAT; the wear moved
			// them too, but only the FAT must come back.
			if !bytes.Equal(back, fat) {
				t.Errorf("%+v after %d moves: FAT not restored", c, k)
			}
			if got != o {
				t.Errorf("%+v after %d moves: options %+v", c, k, got)
			}
		}
	}
}
