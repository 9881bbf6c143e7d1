package signers

import (
	"strings"
	"testing"
)

func TestSet(t *testing.T) {
	l := NewLocalKey("a", privateKey(t, "p256"), nil)
	s := Set{"a": l, "b": nil}
	if got, err := s.Signer("a"); err != nil || got != l {
		t.Errorf("Signer(a) = %v, %v", got, err)
	}
	_, err := s.Signer("zz")
	if err == nil || !strings.Contains(err.Error(), `no signer for key "zz" (configured: "a")`) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := Set(nil).Signer("x"); err == nil || !strings.Contains(err.Error(), "none are configured") {
		t.Errorf("empty: %v", err)
	}
}
