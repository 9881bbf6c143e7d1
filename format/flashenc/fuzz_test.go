package flashenc

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// fuzzInput turns raw fuzz bytes into a scheme, key, address and data.
func fuzzInput(seed []byte, addr uint32, sel uint8) (Options, []byte, uint32, []byte) {
	schemes := []struct {
		s   Scheme
		key int
	}{{ESP32AES, 32}, {ESP32AES, 24}, {ESP32AES, 16}, {XTSAES128, 32}, {XTSAES128, 16}, {XTSAES128, 24}, {XTSAES256, 64}}
	pick := schemes[int(sel)%len(schemes)]
	key := make([]byte, pick.key)
	for i := range key {
		key[i] = byte(i*13) ^ byte(len(seed))
	}
	copy(key, seed)
	opts := Options{Scheme: pick.s}
	if pick.s == ESP32AES {
		opts.FlashCryptConf = Conf((sel >> 4) & 0xF)
	}
	data := seed
	if len(data) > 2048 {
		data = data[:2048]
	}
	data = data[:len(data)&^15]
	addr &^= 15
	if uint64(addr)+uint64(len(data)) > 1<<32 {
		addr -= uint32(len(data))
	}
	return opts, key, addr, data
}

func FuzzRoundTrip(f *testing.F) {
	for i, n := range []int{16, 32, 48, 128, 144, 400, 1040} {
		seed := make([]byte, n)
		for j := range seed {
			seed[j] = byte(j*7 + i)
		}
		f.Add(seed, uint32(0x1000*i+16*i), uint8(i*37))
	}
	f.Add(make([]byte, 64), uint32(0xFFFFFFC0), uint8(0xF3))
	f.Fuzz(func(t *testing.T, seed []byte, addr uint32, sel uint8) {
		opts, key, addr, data := fuzzInput(seed, addr, sel)
		c, err := NewCipher(key, opts)
		if err != nil {
			t.Fatal(err)
		}
		enc := make([]byte, len(data))
		if err := c.EncryptAt(enc, data, addr); err != nil {
			t.Fatal(err)
		}
		// In place gives the same result.
		inplace := bytes.Clone(data)
		if err := c.EncryptAt(inplace, inplace, addr); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(inplace, enc) {
			t.Fatal("in-place encryption differs")
		}
		var want []byte
		var hwKey [64]byte
		n := expandKey(&hwKey, key)
		if opts.Scheme == ESP32AES {
			want = oracleESP32(hwKey[:32], data, addr, *opts.FlashCryptConf, false)
		} else {
			want = oracleXTS(hwKey[:n], data, addr, false)
		}
		if !bytes.Equal(enc, want) {
			t.Fatalf("%v at 0x%x: differs from oracle at byte 0x%x", opts.Scheme, addr, firstDiff(enc, want))
		}
		// Any 16-aligned piece encrypts on its own to the same bytes.
		if len(data) >= 32 {
			cut := int(binary.LittleEndian.Uint16(append(bytes.Clone(seed), 0, 0))) % (len(data) / 16) * 16
			part := make([]byte, len(data)-cut)
			if err := c.EncryptAt(part, data[cut:], addr+uint32(cut)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(part, enc[cut:]) {
				t.Fatalf("piece at +0x%x encrypts differently", cut)
			}
		}
		dec := make([]byte, len(enc))
		if err := c.DecryptAt(dec, enc, addr); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dec, data) {
			t.Fatal("decrypt(encrypt(x)) != x")
		}
	})
}
