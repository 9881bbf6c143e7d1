package fatfs

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
)

// wlInnerSize is the FAT volume size wl_fatfsgen.py hands fatfsgen's FATFS:
// the partition's 4096-byte sectors less one dummy sector, one config sector,
// two copies of the state (a 64-byte header and 16 bytes per sector, rounded
// up to sectors) and, in safe mode, two dump sectors.
func wlInnerSize(partition int, safe bool) int {
	total := partition / 4096
	state := (64 + 16*total + 4095) / 4096
	wl := 1 + 1 + 2*state
	if safe {
		wl += 2
	}
	return (total - wl) * 4096
}

// TestWLInnerVolume checks that Build with the reduced size is the FAT volume
// wl_fatfsgen.py writes after its dummy sector, with the other options passed
// through unchanged (sector size, FAT count, sectors per cluster, root
// entries, FAT type, long names; label, OEM name and the rest at defaults).
func TestWLInnerVolume(t *testing.T) {

	for _, c := range wlCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			opts := caseOptions(t, c)
			opts.Size = wlInnerSize(opts.Size, c.Params["wl_mode"] == "safe")
			if lay, ok := c.Params["wl_layout"].(map[string]any); ok && int(lay["fat_size"].(float64)) != opts.Size {
				t.Fatalf("inner size %d, the case says %v", opts.Size, lay["fat_size"])
			}
			img, err := Build(readInput(t, filepath.Join(c.Dir, "input")), opts)
			if c.ExpectedError {
				if !errors.Is(err, refErrors[c.ErrorContains]) {
					t.Fatalf("error %v, the reference fails with %s", err, c.ErrorContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := gunzip(t, c.File(t, *c.Expected))
			if got := want[4096 : 4096+len(img)]; !bytes.Equal(img, got) {
				t.Fatalf("inner FAT differs: %s", firstDiff(img, got))
			}

		})
	}
}
