package outputs

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzInspectRegion reads arbitrary bytes as one partition dump or artifact, with
// and without a flash key (the key makes it search slot boundaries). Invariants:
// no panic; an error is ErrUnknownRegion (or none); a result has exactly one
// "input" region whose state is plaintext, ciphertext or erased with a reason,
// and marshals to JSON.
func FuzzInspectRegion(f *testing.F) {
	f.Add(testApp(f), false)
	f.Add(testNVS(f), false)
	f.Add(rawTable(nvsRec, appRec), false)
	f.Add(testApp(f)[:64], true)
	f.Add([]byte{0xE9}, true)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, data []byte, withKey bool) {
		if len(data) > 1<<20 {
			return
		}
		opts := RegionOptions{}
		if withKey {
			opts.FlashKey = testKey32
		}
		in, err := InspectRegion(data, opts)
		if err != nil && !errors.Is(err, ErrUnknownRegion) {
			t.Fatalf("error %v is not ErrUnknownRegion", err)
		}
		if in == nil || len(data) == 0 {
			return
		}
		if len(in.Regions) != 1 || in.Regions[0].Reason == "" {
			t.Fatalf("regions %+v", in.Regions)
		}
		switch in.Regions[0].State {
		case StatePlaintext, StateCiphertext, StateErased:
		default:
			t.Fatalf("state %q", in.Regions[0].State)
		}
		if _, err := json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	})
}
