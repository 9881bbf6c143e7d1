package secureboot

import "testing"

func benchSign(b *testing.B, keyFile string) {
	k := loadKey(b, keyFile)
	img := testImage(64 << 10)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		if _, err := SignV2(img, []*PrivateKey{k}, SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignV2RSA3072(b *testing.B)   { benchSign(b, "rsa3072.pem") }
func BenchmarkSignV2ECDSAP256(b *testing.B) { benchSign(b, "p256_sec1.pem") }
func BenchmarkSignV2ECDSAP192(b *testing.B) { benchSign(b, "p192_sec1.pem") }

func benchVerify(b *testing.B, keyFile string) {
	k := loadKey(b, keyFile)
	img := testImage(64 << 10)
	signed, err := SignV2(img, []*PrivateKey{k}, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(signed)))
	for b.Loop() {
		if _, err := VerifyV2(signed, k.Public()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyV2RSA3072(b *testing.B)   { benchVerify(b, "rsa3072.pem") }
func BenchmarkVerifyV2ECDSAP256(b *testing.B) { benchVerify(b, "p256_sec1.pem") }
func BenchmarkVerifyV2ECDSAP192(b *testing.B) { benchVerify(b, "p192_sec1.pem") }

func BenchmarkSignV1(b *testing.B) {
	k := loadKey(b, "p256_sec1.pem")
	img := testImage(64 << 10)
	b.SetBytes(int64(len(img)))
	for b.Loop() {
		if _, err := SignV1(k, img); err != nil {
			b.Fatal(err)
		}
	}
}
