package wl

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// FuzzUnwrap: no input panics or allocates beyond its own size, and what
// Unwrap accepts is a FAT that Wrap takes back at the same partition size.
func FuzzUnwrap(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []combo{{5 * 4096, 4096, ModePerf}, {5 * 4096, 512, ModePerf}, {7 * 4096, 512, ModeSafe}} {
		o := DefaultOptions(c.size)
		o.SectorSize, o.Mode, o.DeviceID = c.sector, c.mode, rng.Uint32()
		g, err := Plan(o)
		if err != nil {
			f.Fatal(err)
		}
		img, err := Wrap(fakeFAT(rng, g.FATSize, c.sector), o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(img)
		worn := bytes.Clone(img)
		simulateWear(f, worn, 3*g.MaxPos+1)
		f.Add(worn)
	}
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0xFF}, 5*4096))
	// The reference vectors, when ../shared is present (Load would skip the
	// whole target), as seeds of the plain test run. Active fuzzing leaves
	// these 0.5-1 MiB inputs out: the engine crawls on them, and the small
	// seeds above hold the same structures. Run it with a short
	// -fuzzminimizetime (e.g. 1s): minimizing a CRC-sealed 20 KiB input for
	// the default 60s stalls the engine.
	if conformance.Root() != "" && !fuzzing() {
		for _, c := range wlCases(f) {
			if c.Expected != nil {
				f.Add(gunzip(f, c.File(f, *c.Expected)))
			}
		}
	}
	f.Fuzz(func(t *testing.T, img []byte) {
		fat, o, err := Unwrap(img)
		if err != nil {
			if fat != nil {
				t.Fatal("error with data")
			}
			return
		}
		if len(fat) > len(img) {
			t.Fatalf("FAT of %d bytes from a %d-byte image", len(fat), len(img))
		}
		size, err := Layout(o)
		if err != nil || size != len(fat) {
			t.Fatalf("Unwrap gave options %+v with Layout %d, %v for a %d-byte FAT", o, size, err, len(fat))
		}
		out, err := Wrap(fat, o)
		if err != nil || len(out) != len(img) {
			t.Fatalf("Wrap of an unwrapped FAT: %d bytes, %v", len(out), err)
		}
	})
}

// fuzzing reports whether go test runs with -fuzz.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}
