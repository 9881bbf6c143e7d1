package flashenc

import (
	"crypto/aes"
	"testing"
)

const benchSize = 4 << 20

func benchData() (key64, data []byte) {
	key64 = make([]byte, 64)
	for i := range key64 {
		key64[i] = byte(i*7 + 3)
	}
	data = make([]byte, benchSize)
	for i := range data {
		data[i] = byte(i * 31)
	}
	return key64, data
}

func benchScheme(b *testing.B, opts Options, keyLen int, decrypt bool) {
	key, data := benchData()
	c, err := NewCipher(key[:keyLen], opts)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		if decrypt {
			err = c.DecryptAt(data, data, 0x10000)
		} else {
			err = c.EncryptAt(data, data, 0x10000)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptESP32AES(b *testing.B) { benchScheme(b, Options{Scheme: ESP32AES}, 32, false) }
func BenchmarkDecryptESP32AES(b *testing.B) { benchScheme(b, Options{Scheme: ESP32AES}, 32, true) }
func BenchmarkEncryptESP32AESConf0(b *testing.B) {
	benchScheme(b, Options{Scheme: ESP32AES, FlashCryptConf: Conf(0)}, 32, false)
}
func BenchmarkEncryptXTSAES128(b *testing.B) { benchScheme(b, Options{Scheme: XTSAES128}, 32, false) }
func BenchmarkDecryptXTSAES128(b *testing.B) { benchScheme(b, Options{Scheme: XTSAES128}, 32, true) }
func BenchmarkEncryptXTSAES256(b *testing.B) { benchScheme(b, Options{Scheme: XTSAES256}, 64, false) }

// Baselines: plain crypto/aes ECB over the same 4 MiB, one Block call per 16
// bytes, which is the floor every scheme here builds on.
func benchECB(b *testing.B, keyLen int) {
	key, data := benchData()
	blk, err := aes.NewCipher(key[:keyLen])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < len(data); i += 16 {
			blk.Encrypt(data[i:i+16], data[i:i+16])
		}
	}
}

func BenchmarkRawAES128ECB(b *testing.B) { benchECB(b, 16) }
func BenchmarkRawAES256ECB(b *testing.B) { benchECB(b, 32) }
