package manifest

import (
	"fmt"

	"github.com/agext/levenshtein"
)

// suggest returns ` (did you mean "x"?)` for the closest known name. A parenthesis,
// so the sentence it sits in can still end with its own full stop.
func suggest(given string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := levenshtein.Distance(given, k, nil); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
