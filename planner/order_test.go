package planner

import (
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/stages"
)

// TestSecurityOrderIsStructural checks the plan graph of the secure example: headers
// are set before hashing and signing, signing happens on plaintext, encryption follows
// signing at the region's final offset, and nothing ever follows encryption but the
// merge. The planner has no other path, so no manifest can produce another order.
func TestSecurityOrderIsStructural(t *testing.T) {
	fs := afero.NewReadOnlyFs(afero.NewOsFs())
	pl, diags := planFile(fs, "../examples/secure-production/espcompose.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	g := pl.Graph
	kindOf := func(id string) string {
		s, _ := g.Node(id)
		return s.Kind()
	}
	signs, encrypts := 0, 0
	for _, id := range g.IDs() {
		switch kindOf(id) {
		case "patch":
			for _, d := range g.Ancestors(id) {
				if k := kindOf(d); k == "sign-v2" || k == "encrypt" {
					t.Errorf("%s patches a header after %s", id, d)
				}
			}
		case "sign-v2":
			signs++
			for _, d := range g.Ancestors(id) {
				if kindOf(d) == "encrypt" {
					t.Errorf("%s signs data that was already encrypted by %s", id, d)
				}
			}
		case "encrypt":
			encrypts++
			for _, d := range g.Descendants(id) {
				if k := kindOf(d); k != "merge" {
					t.Errorf("%s is followed by %s (%s); only the merge may read ciphertext", id, d, k)
				}
			}
		}
	}
	if signs != 2 || encrypts < 5 {
		t.Errorf("want 2 signing stages and at least 5 encryptions, got %d and %d", signs, encrypts)
	}
	for _, r := range pl.Regions {
		if r.Stage == "" {
			continue
		}
		if r.Encrypted != (kindOf(r.Stage) == "encrypt") {
			t.Errorf("%s: encrypted=%v but its bytes come from %s", r.Name, r.Encrypted, r.Stage)
		}
		if r.Signed {
			found := false
			for _, d := range append(g.Ancestors(r.Stage), r.Stage) {
				found = found || kindOf(d) == "sign-v2"
			}
			if !found {
				t.Errorf("%s is marked signed but no signing stage precedes it", r.Name)
			}
		}
		if s, _ := g.Node(r.Stage); r.Encrypted {
			if enc := s.(*stages.Encrypt); enc.Offset != r.Offset {
				t.Errorf("%s is encrypted for 0x%x but written at 0x%x", r.Name, enc.Offset, r.Offset)
			}
		}
	}
}
