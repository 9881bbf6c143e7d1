package encimg

import (
	"crypto/rand"
	"testing"
)

func BenchmarkEncrypt1MiB(b *testing.B) {
	plain := make([]byte, 1<<20)
	rand.Read(plain)
	pub := &testRSAKey(b).PublicKey
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := Encrypt(plain, pub, Options{Secret: testSecret}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncryptECIES1MiB(b *testing.B) {
	plain := make([]byte, 1<<20)
	rand.Read(plain)
	dev := testDeviceKey(b).PublicKey()
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := EncryptECIES(plain, dev, Options{Secret: testSecret}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt1MiB(b *testing.B) {
	plain := make([]byte, 1<<20)
	rand.Read(plain)
	priv := testRSAKey(b)
	pkg, err := Encrypt(plain, &priv.PublicKey, Options{Secret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := Decrypt(pkg, priv); err != nil {
			b.Fatal(err)
		}
	}
}
