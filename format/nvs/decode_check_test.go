package nvs

import (
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

func checkDecode(t *testing.T, c conformance.Case, img []byte, a toolArgs) {}
