package qemutest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"testing"
)

// ROM prints of the ESP32-C3 Secure Boot V2 check of the bootloader.
const (
	sbVerified = "secure boot verification succeeded"
	sbRejected = "secure boot verification failed"
)

// sbDigest is the SHA-256 the eFuse holds for an RSA-3072 Secure Boot V2 key: over the
// public key as the signature block stores it (n, e, R^2 mod n with R = 2^3072, and
// -n^-1 mod 2^32, all little-endian), computed here from the key rather than read
// from what espcompose wrote.
func sbDigest(pub *rsa.PublicKey) []byte {
	const n = 384
	le := func(x *big.Int) []byte {
		b := x.FillBytes(make([]byte, n))
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
		return b
	}
	rinv := new(big.Int).Exp(big.NewInt(2), big.NewInt(2*8*n), pub.N)
	m32 := new(big.Int).Lsh(big.NewInt(1), 32)
	mdash := new(big.Int).ModInverse(pub.N, m32)
	mdash.Sub(m32, mdash)
	var buf []byte
	buf = append(buf, le(pub.N)...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(pub.E))
	buf = append(buf, le(rinv)...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(mdash.Uint64()))
	d := sha256.Sum256(buf)
	return d[:]
}

func newSBKey(t *testing.T) ([]byte, *rsa.PublicKey) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), &k.PublicKey
}

// Secure Boot V2: espcompose signs the bootloader (and apps) with an RSA-3072 key; the
// ROM checks the bootloader's signature block against the digest in eFuse before it
// runs it. The bootloader need not be built for secure boot for the ROM to check it.
// A device trusting another key must refuse the same image.
func TestBootSecureBootV2(t *testing.T) {
	forDevices(t, func(t *testing.T, d *device, qemu string) {
		if !d.secureBoot {
			t.Skipf("Secure Boot V2 is not exercised on %s here", d.chip)
		}
		bl, app := plainInputs(t, d)
		keyPEM, pub := newSBKey(t)
		trusted := sbDigest(pub)
		untrusted := sha256.Sum256([]byte("some other key"))

		for _, encrypt := range []bool{false, true} {
			name := "signed"
			if encrypt {
				name = "signed-and-encrypted"
			}
			t.Run(name, func(t *testing.T) {
				merged := layout{dev: d, bootloader: bl, ota0: app, ota1: app, boot: "ota_1", encrypt: encrypt, sbKey: keyPEM}.build(t)
				var key []byte
				if encrypt {
					key = flashKey()
				}
				want := append([]string{sbVerified}, appMarkers(bl, app, ota1Offset)...)
				log := boot(t, d, qemu, merged, efuseFile(t, d, fuses{flashKey: key, sbDigest: trusted}),
					seen(want, sbRejected, romRejects))
				requireAll(t, log, want...)

				t.Run("untrusted-key", func(t *testing.T) {
					log := boot(t, d, qemu, merged, efuseFile(t, d, fuses{flashKey: key, sbDigest: untrusted[:]}),
						seen([]string{sbRejected}, sbVerified, projectLine(app)))
					requireAll(t, log, sbRejected)
					forbid(t, log, sbVerified, projectLine(app))
				})
			})
		}
	})
}
