package doctor

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzImage runs every image check on arbitrary bytes, seeded with a good image
// and with the crafted ones the tests use. Invariants: no panic; an error is
// ErrNotAnImage; a report counts its findings right, each with a catalog id, a
// why and a fix; it marshals to JSON; the same input gives the same report.
func FuzzImage(f *testing.F) {
	// Small images: the fuzzer mutates every byte it is given.
	slot := rec{"ota_0", 0, 0x10, 0x20000, 0x10000, 0}
	small := func() *flash {
		return newFlash(f, 0x30000, "4MB", nvsRec, otaRec, slot).at(0x9000, nvsImage(f)).at(0xf000, mustSelect(f, 0)).at(0x20000, app(f, 0x1000))
	}
	f.Add(small().img, false)
	f.Add(small().encryptDevice(otaRec, slot).img, true)
	f.Add(small().at(0x20000, sign(f, app(f, 0x1000))).img, false)
	custom := rec{"at_customize", 0x40, 0, 0x130000, 0x40000, 0}
	f.Add(newFlash(f, 0x180000, "8MB", custom).at(0x130000, table(rec{"c", 0x40, 2, 0x2e000, 0x4000, 0})).img, false)
	f.Add([]byte{}, false)
	f.Add(make([]byte, 0x9000), false)
	f.Fuzz(func(t *testing.T, img []byte, withKey bool) {
		if len(img) > 4<<20 {
			return
		}
		opts := ImageOptions{}
		if withKey {
			opts.FlashKey = key32
		}
		r, err := Image("fuzz.bin", img, opts)
		if err != nil {
			if !errors.Is(err, ErrNotAnImage) {
				t.Fatalf("error %v is not ErrNotAnImage", err)
			}
			return
		}
		errs := 0
		for _, fd := range r.Findings {
			lookup(fd.ID) // panics on an unknown id
			if fd.Why == "" || fd.Fix == "" || fd.Finding == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
			if fd.Severity == Error {
				errs++
			}
		}
		if errs != r.Errors || r.Failed() != (errs > 0) {
			t.Fatalf("counted %d errors, report says %d", errs, r.Errors)
		}
		a, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Image("fuzz.bin", img, opts)
		if b, _ := json.Marshal(again); string(a) != string(b) {
			t.Fatal("the same input gave another report")
		}
	})
}
