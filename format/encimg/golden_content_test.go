package encimg

import (
	"bytes"
	"testing"
)

// TestGoldenDeterministic pins ours_{rsa,ecc}_4099.enc byte for byte, which holds
// whatever the encoder once wrote; the reference tool's decrypt runs only where it is
// installed (TestOracle). This checks their content everywhere: each parses as a
// package of the right scheme and size and decrypts, with the test keys, to
// plain_4099.bin. Decrypt and DecryptECIES are themselves checked against packages
// Espressif's tool made (TestDecryptToolRSA, TestDecryptToolECIES).
func TestGoldenPackagesDecrypt(t *testing.T) {
	plain := readTestdata(t, "plain_4099.bin")
	for _, c := range []struct {
		name  string
		ecies bool
		open  func([]byte) ([]byte, error)
	}{
		{"ours_rsa_4099.enc", false, func(b []byte) ([]byte, error) { return Decrypt(b, testRSAKey(t)) }},
		{"ours_ecc_4099.enc", true, func(b []byte) ([]byte, error) { return DecryptECIES(b, testDeviceKey(t)) }},
	} {
		pkg := readTestdata(t, c.name)
		h, err := ParseHeader(pkg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if int(h.Size) != len(plain) || h.CheckLength(len(pkg)) != nil || h.LooksECIES() != c.ecies {
			t.Errorf("%s: size %d, length %v, ECIES-shaped %v", c.name, h.Size, h.CheckLength(len(pkg)), h.LooksECIES())
		}
		got, err := c.open(pkg)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s does not decrypt to plain_4099.bin: %v", c.name, err)
		}
		if bytes.Contains(pkg, plain[:64]) {
			t.Errorf("%s carries plaintext", c.name)
		}
	}
}
