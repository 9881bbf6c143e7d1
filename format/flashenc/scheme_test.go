package flashenc

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSchemeFor(t *testing.T) {
	ok := []struct {
		chip   string
		keyLen int
		want   Scheme
	}{
		{"esp32", 32, ESP32AES},
		{"ESP32", 24, ESP32AES},
		{"esp32s2", 32, XTSAES128},
		{"esp32s2", 64, XTSAES256},
		{"ESP32-S3", 64, XTSAES256},
		{"esp32c2", 16, XTSAES128},
		{"esp32c2", 32, XTSAES128},
		{"esp32c3", 32, XTSAES128},
		{"esp32_c6", 32, XTSAES128},
		{"esp32h2", 32, XTSAES128},
		{"esp32c5", 64, XTSAES256},
		{"esp32p4", 64, XTSAES256},
		{"esp32c61", 32, XTSAES128},
	}
	for _, tc := range ok {
		got, err := SchemeFor(tc.chip, tc.keyLen)
		if err != nil || got != tc.want {
			t.Errorf("SchemeFor(%q, %d) = %v, %v; want %v", tc.chip, tc.keyLen, got, err, tc.want)
		}
	}
	bad := []struct {
		chip    string
		keyLen  int
		allowed string
	}{
		{"esp32", 64, "24 or 32"},
		{"esp32", 16, "24 or 32"},
		{"esp32c3", 64, "), 32 expected"},
		{"esp32c3", 16, "), 32 expected"},
		{"esp32c2", 64, "16 or 32"},
		{"esp32s3", 16, "32 or 64"},
	}
	for _, tc := range bad {
		_, err := SchemeFor(tc.chip, tc.keyLen)
		if !errors.Is(err, ErrKeyLength) || !strings.Contains(err.Error(), tc.allowed) {
			t.Errorf("SchemeFor(%q, %d): got %v, want ErrKeyLength naming %q", tc.chip, tc.keyLen, err, tc.allowed)
		}
	}
	if _, err := SchemeFor("esp8266", 32); !errors.Is(err, ErrChip) {
		t.Errorf("esp8266: got %v, want ErrChip", err)
	}
}

func TestChipSchemes(t *testing.T) {
	got, err := ChipSchemes("esp32s3")
	if err != nil || !slices.Equal(got, []Scheme{XTSAES128, XTSAES256}) {
		t.Errorf("esp32s3: %v %v", got, err)
	}
	got, err = ChipSchemes("esp32c2")
	if err != nil || !slices.Equal(got, []Scheme{XTSAES128}) {
		t.Errorf("esp32c2: %v %v", got, err)
	}
}

func TestSchemeForKey(t *testing.T) {
	for _, tc := range []struct {
		xts  bool
		n    int
		want Scheme
	}{{false, 16, ESP32AES}, {false, 24, ESP32AES}, {false, 32, ESP32AES}, {true, 16, XTSAES128}, {true, 24, XTSAES128}, {true, 32, XTSAES128}, {true, 64, XTSAES256}} {
		if got, err := SchemeForKey(tc.xts, tc.n); err != nil || got != tc.want {
			t.Errorf("SchemeForKey(%v, %d) = %v, %v", tc.xts, tc.n, got, err)
		}
	}
	if _, err := SchemeForKey(false, 64); !errors.Is(err, ErrKeyLength) {
		t.Errorf("64-byte ESP32 key: %v", err)
	}
	if _, err := SchemeForKey(true, 48); !errors.Is(err, ErrKeyLength) || !strings.Contains(err.Error(), "wrong length (48 bytes), 16, 24, 32 or 64 expected") {
		t.Errorf("48-byte XTS key: %v", err)
	}
}
