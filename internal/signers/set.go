package signers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/espcompose/espcompose/stages"
)

// Set resolves manifest key names to their signers.
type Set map[string]stages.Signer

var _ stages.Signers = Set(nil)

// Signer returns the signer of key name.
func (s Set) Signer(name string) (stages.Signer, error) {
	if sg, ok := s[name]; ok && sg != nil {
		return sg, nil
	}
	names := make([]string, 0, len(s))
	for n, sg := range s {
		if sg != nil {
			names = append(names, fmt.Sprintf("%q", n))
		}
	}
	slices.Sort(names)
	known := "none are configured"
	if len(names) > 0 {
		known = "configured: " + strings.Join(names, ", ")
	}
	return nil, fmt.Errorf("no signer for key %q (%s)", name, known)
}
