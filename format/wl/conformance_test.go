package wl

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// wlCase is the part of an fsimage case.json this package can check on its
// own: the WL layout, the device id and the inner FAT's size.
type wlCase struct {
	Params struct {
		Type              string  `json:"type"`
		DeviceID          string  `json:"device_id"`
		ImageSize         int     `json:"image_size"`
		SectorSize        int     `json:"sector_size"`
		SectorsPerCluster int     `json:"sectors_per_cluster"`
		RootEntryCount    int     `json:"root_entry_count"`
		FATCount          int     `json:"fat_count"`
		WLMode            *string `json:"wl_mode"`
		WLLayout          *struct {
			StateSectors    int    `json:"state_sectors"`
			FATSectors      int    `json:"fat_sectors"`
			FATOffset       int    `json:"fat_offset"`
			FATSize         int    `json:"fat_size"`
			SafeDumpSectors int    `json:"safe_dump_sectors"`
			StateOffsets    [2]int `json:"state_offsets"`
			ConfigOffset    int    `json:"config_offset"`
		} `json:"wl_layout"`
		FAT *struct {
			Sectors int `json:"sectors"`
		} `json:"fat"`
	} `json:"params"`
}

// wlCases returns the wear-levelled FAT cases of the fsimage family.
func wlCases(t testing.TB) []conformance.Case {
	var out []conformance.Case
	for _, c := range conformance.Load(t, "fsimage") {
		if c.Param("type") == "wl-fat" {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatal("index.json has no wl-fat cases")
	}
	return out
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// optionsOf maps a case's params to the Options wl_fatfsgen used.
func optionsOf(t *testing.T, w wlCase) Options {
	t.Helper()
	id, err := strconv.ParseUint(w.Params.DeviceID, 0, 32)
	if err != nil {
		t.Fatalf("device_id %q: %v", w.Params.DeviceID, err)
	}
	o := DefaultOptions(w.Params.ImageSize)
	o.SectorSize = w.Params.SectorSize
	o.DeviceID = uint32(id)
	if w.Params.WLMode != nil && *w.Params.WLMode == "safe" {
		o.Mode = ModeSafe
	}
	return o
}

// TestConformance runs every wl-fat case of index.json. Images: Unwrap, check
// the layout, options and inner FAT size against case.json, Wrap back and
// compare byte for byte. Error cases: the inner FAT Layout leaves cannot hold
// the input (the FAT builder reports the actual error; see TestConformanceNoSpace).
func TestConformance(t *testing.T) {
	for _, c := range wlCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			var w wlCase
			c.Decode(t, &w)
			want := optionsOf(t, w)
			if c.ExpectedError {
				checkTooSmall(t, c, w, want)
				return
			}
			img := gunzip(t, c.File(t, *c.Expected))
			if len(img) != w.Params.ImageSize {
				t.Fatalf("expected image is %d bytes, params say %d", len(img), w.Params.ImageSize)
			}
			fat, got, err := Unwrap(img)
			if err != nil {
				t.Fatalf("Unwrap: %v", err)
			}
			if got != want {
				t.Errorf("Unwrap options = %+v, want %+v", got, want)
			}
			g, err := Plan(got)
			if err != nil {
				t.Fatal(err)
			}
			l := w.Params.WLLayout
			if l == nil {
				t.Fatal("case has no wl_layout")
			}
			if g.StateSectors != l.StateSectors || g.FATSectors != l.FATSectors || g.FATOffset != l.FATOffset ||
				g.FATSize != l.FATSize || g.SafeDumpSectors != l.SafeDumpSectors || g.StateOffsets != l.StateOffsets ||
				g.ConfigOffset != l.ConfigOffset {
				t.Errorf("layout = %+v, want %+v", g, *l)
			}
			if size, err := Layout(want); err != nil || size != l.FATSize {
				t.Errorf("Layout(params) = %d, %v; want %d", size, err, l.FATSize)
			}
			if len(fat) != l.FATSize {
				t.Errorf("unwrapped FAT is %d bytes, want %d", len(fat), l.FATSize)
			}
			if w.Params.FAT != nil && len(fat) != w.Params.FAT.Sectors*w.Params.SectorSize {
				t.Errorf("unwrapped FAT is %d bytes, case says %d sectors of %d", len(fat), w.Params.FAT.Sectors, w.Params.SectorSize)
			}
			if !bytes.Equal(fat, img[l.FATOffset:l.FATOffset+l.FATSize]) {
				t.Error("unwrapped FAT differs from the image bytes at fat_offset")
			}
			out, err := Wrap(fat, want)
			if err != nil {
				t.Fatalf("Wrap: %v", err)
			}
			if i := firstDiff(out, img); i >= 0 {
				t.Fatalf("Wrap differs from expected.bin at offset 0x%x (len %d vs %d)", i, len(out), len(img))
			}
		})
	}
}

// checkTooSmall is the part of an error case this package decides: the FAT
// volume Layout leaves has fewer data clusters than the input files need.
// The exact fatfsgen error (NoFreeClusterException) comes from the FAT
// builder and is checked by the integration test.
func checkTooSmall(t *testing.T, c conformance.Case, w wlCase, o Options) {
	t.Helper()
	size, err := Layout(o)
	if err != nil {
		t.Fatalf("Layout: %v", err)
	}
	ss, spc := w.Params.SectorSize, w.Params.SectorsPerCluster
	cluster := ss * spc
	sectors := size / ss
	// Reserved sector, at least one sector per FAT, the root directory.
	meta := 1 + w.Params.FATCount + (w.Params.RootEntryCount*32+ss-1)/ss
	capacity := (sectors - meta) / spc
	need := 0
	err = filepath.WalkDir(filepath.Join(c.Dir, "input"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		need += int((fi.Size() + int64(cluster) - 1) / int64(cluster))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if need <= capacity {
		t.Fatalf("input needs %d clusters, the %d-byte FAT Layout leaves holds up to %d: this error case is not decided by the WL layout", need, size, capacity)
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
