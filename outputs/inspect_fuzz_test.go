package outputs

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// FuzzInspect reads arbitrary flash images, seeded with a good image and ones whose
// nested tables loop, nest deep or fan out. Invariants: Inspect returns within 10s
// (a hang fails with every goroutine's stack); it reads at most MaxTables tables,
// none deeper than MaxTableDepth; no partition's bytes exceed what the image holds
// plus the erased tail; an error is returned exactly for a non-image (a fatal
// finding); findings carry a known severity, a code and a message; the report
// marshals to JSON; an image without findings has a bootloader and a table.
func FuzzInspect(f *testing.F) {
	f.Add(goodImage(f))
	custom := rec{"at_customize", 0x40, 0, 0x20000, 0x10000}
	f.Add(newFlash(f, custom).at(0x20000, rawTable(rec{"self", 0x40, 0, 0x20000, 0x10000}, rec{"up", 0x40, 0, 0x8000, 0x1000})).bytes())
	f.Add(newFlash(f, custom).at(0x20000, rawTable(rec{"fs", 1, 0x81, 0x21000, 0x4000}, rec{"deep", 0x40, 0, 0x25000, 0x8000})).
		at(0x25000, rawTable(rec{"deeper", 0x40, 0, 0x26000, 0x4000})).at(0x26000, rawTable(rec{"x", 1, 0x81, 0x27000, 0x1000})).bytes())
	f.Add(newFlash(f, nvsRec, rec{"huge", 1, 0x81, 0x20000, 0xFFFDF000}).at(0x9000, testNVS(f)).bytes())
	f.Add([]byte{})
	f.Add(make([]byte, 0x9000))
	f.Fuzz(func(t *testing.T, img []byte) {
		if len(img) > 4<<20 {
			return
		}
		timer := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("Inspect did not return in 10s:\n%s", buf[:runtime.Stack(buf, true)]))
		})
		in, err := Inspect(img, InspectOptions{})
		timer.Stop()
		if in == nil {
			t.Fatalf("no inspection (err %v)", err)
		}
		if (err != nil) != in.NotAnImage() || (err != nil && !errors.Is(err, ErrNotAnImage)) {
			t.Fatalf("error %v but NotAnImage %v", err, in.NotAnImage())
		}
		if len(in.Tables) > MaxTables {
			t.Fatalf("%d tables read", len(in.Tables))
		}
		limit := (len(img)+erasedTail-1)/erasedTail*erasedTail + 2*erasedTail
		for _, p := range in.Partitions {
			if p.depth > MaxTableDepth {
				t.Fatalf("partition %q read at depth %d", p.Name, p.depth)
			}
			if len(p.Data) > limit || uint64(len(p.Data)) > uint64(p.Size) {
				t.Fatalf("partition %q: %d bytes read from a %d-byte image (size %#x)", p.Name, len(p.Data), len(img), p.Size)
			}
		}
		for _, fd := range in.Findings {
			if (fd.Severity != Fatal && fd.Severity != Error) || fd.Code == "" || fd.Message == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
		if _, err := json.Marshal(in); err != nil {
			t.Fatalf("report does not marshal: %v", err)
		}
		if !in.Failed() && (in.Bootloader == nil || len(in.Tables) == 0) {
			t.Fatal("no findings, but no bootloader or no table")
		}
	})
}
