package flashenc

import (
	"errors"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	key32 := make([]byte, 32)
	buf := make([]byte, 64)
	cases := []struct {
		name     string
		run      func() error
		want     error
		contains string
	}{
		{"address", func() error { return Encrypt(buf, buf, key32, 0x10008, Options{Scheme: ESP32AES}) }, ErrAddress, "must be a multiple of 16"},
		{"xts address", func() error { return Encrypt(buf, buf, key32, 0x1004, Options{Scheme: XTSAES128}) }, ErrAddress, "0x1004"},
		{"length", func() error { return Encrypt(buf, buf[:40], key32, 0, Options{Scheme: XTSAES128}) }, ErrLength, "(40) must be a multiple of 16"},
		{"esp32 length", func() error { return Decrypt(buf, buf[:17], key32, 0, Options{Scheme: ESP32AES}) }, ErrLength, "multiple of 16"},
		{"xts empty", func() error { return Encrypt(nil, nil, key32, 0, Options{Scheme: XTSAES128}) }, ErrLength, "longer than 0"},
		{"short dst", func() error { return Encrypt(buf[:16], buf, key32, 0, Options{Scheme: ESP32AES}) }, ErrLength, "shorter"},
		{"past 4 GiB", func() error { return Encrypt(buf, buf, key32, 0xFFFFFFF0, Options{Scheme: XTSAES128}) }, ErrAddress, "4 GiB"},
		{"key len", func() error { return Encrypt(buf, buf, key32[:20], 0, Options{Scheme: ESP32AES}) }, ErrKeyLength, "wrong length (20 bytes), 16, 24 or 32 expected"},
		{"key 64 for esp32", func() error { return Encrypt(buf, buf, make([]byte, 64), 0, Options{Scheme: ESP32AES}) }, ErrKeyLength, "(64 bytes)"},
		{"key 32 for xts256", func() error { return Encrypt(buf, buf, key32, 0, Options{Scheme: XTSAES256}) }, ErrKeyLength, "(32 bytes), 64 expected"},
		{"scheme", func() error { return Encrypt(buf, buf, key32, 0, Options{}) }, ErrScheme, ""},
		{"conf", func() error {
			return Encrypt(buf, buf, key32, 0, Options{Scheme: ESP32AES, FlashCryptConf: Conf(0x10)})
		}, ErrCryptConf, "0x10"},
		{"closed", func() error {
			c, err := NewCipher(key32, Options{Scheme: XTSAES128})
			if err != nil {
				return err
			}
			c.Close()
			return c.EncryptAt(buf, buf, 0)
		}, ErrClosed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("%q does not contain %q", err, tc.contains)
			}
		})
	}
}

func TestEmptyESP32IsEmpty(t *testing.T) {
	// espsecure writes an empty file for empty ESP32 input.
	if err := Encrypt(nil, nil, make([]byte, 32), 0, Options{Scheme: ESP32AES}); err != nil {
		t.Fatal(err)
	}
}

func TestCloseWipesKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = 0xA5
	}
	c, err := NewCipher(key, Options{Scheme: ESP32AES})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if c.key != (u256{}) || c.fixed != nil || c.xts != nil {
		t.Fatal("key material left after Close")
	}
}
