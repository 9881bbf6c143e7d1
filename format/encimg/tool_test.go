package encimg

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"os"
	"testing"
)

// The testdata fixtures were made by running the reference tool
// (idf-extra-components master a914981, esp_encrypted_img 2.7.1,
// tools/esp_enc_img_gen.py, python3 cryptography 48.0.0); the tool itself is
// not in this repository:
//
//	openssl genrsa -out rsa3072_private.pem 3072
//	openssl rsa -in rsa3072_private.pem -pubout -out rsa3072_public.pem
//	head -c 32 /dev/urandom > device_hmac_key.bin
//	device_public.pem: the P-256 public key of
//	    PBKDF2-HMAC-SHA256(device_hmac_key.bin, PREDEFINED_SALT, 2048), computed
//	    with the tool's own constants (what --generate_ecc_key writes)
//	plain_{0,1,4099}.bin: Python random.Random(20261121) bytes
//	esp_enc_img_gen.py encrypt plain_N.bin rsa3072_public.pem tool_rsa_N.enc
//	esp_enc_img_gen.py encrypt plain_N.bin device_public.pem  tool_ecc_N.enc
//
// The tool's packages are random (fresh AES key, IV, padding, ephemeral key),
// so they are inputs here: our Decrypt must recover the plaintext.
var toolSizes = []int{0, 1, 4099}

func TestDecryptToolRSA(t *testing.T) {
	priv := testRSAKey(t)
	for _, n := range toolSizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pkg := readTestdata(t, fmt.Sprintf("tool_rsa_%d.enc", n))
			got, err := Decrypt(pkg, priv)
			if err != nil {
				t.Fatal(err)
			}
			if want := readTestdata(t, fmt.Sprintf("plain_%d.bin", n)); !bytes.Equal(got, want) {
				t.Fatalf("plaintext differs (%d vs %d bytes)", len(got), len(want))
			}
			h, err := ParseHeader(pkg)
			if err != nil {
				t.Fatal(err)
			}
			if h.LooksECIES() {
				t.Error("RSA package classified as ECIES")
			}
			re, err := h.MarshalBinary()
			if err != nil || !bytes.Equal(re, pkg[:HeaderSize]) {
				t.Errorf("header does not re-encode to the same bytes (err %v)", err)
			}
		})
	}
}

func TestDecryptToolECIES(t *testing.T) {
	dev := testDeviceKey(t)
	for _, n := range toolSizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pkg := readTestdata(t, fmt.Sprintf("tool_ecc_%d.enc", n))
			got, err := DecryptECIES(pkg, dev)
			if err != nil {
				t.Fatal(err)
			}
			if want := readTestdata(t, fmt.Sprintf("plain_%d.bin", n)); !bytes.Equal(got, want) {
				t.Fatalf("plaintext differs (%d vs %d bytes)", len(got), len(want))
			}
			h, _ := ParseHeader(pkg)
			if !h.LooksECIES() {
				t.Error("ECIES package not classified as ECIES")
			}
		})
	}
}

// DeviceKey must give the public key the tool's derivation gave.
func TestDeviceKeyMatchesTool(t *testing.T) {
	pub, err := x509.ParsePKIXPublicKey(pemBlock(t, "device_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := pub.(*ecdsa.PublicKey).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	if !testDeviceKey(t).PublicKey().Equal(want) {
		t.Fatal("DeviceKey public key differs from the tool's")
	}
}

func TestRSAPublicKeyFileMatches(t *testing.T) {
	pub, err := x509.ParsePKIXPublicKey(pemBlock(t, "rsa3072_public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !testRSAKey(t).PublicKey.Equal(pub.(*rsa.PublicKey)) {
		t.Fatal("rsa3072_public.pem is not the public half of rsa3072_private.pem")
	}
}

// ours_{rsa,ecc}_4099.enc are our Encrypt/EncryptECIES output for
// plain_4099.bin with testSecret. When they were written (ENCIMG_UPDATE=1) the
// reference tool decrypted both back to plain_4099.bin:
//
//	esp_enc_img_gen.py decrypt ours_rsa_4099.enc rsa3072_private.pem out.bin
//	esp_enc_img_gen.py decrypt ours_ecc_4099.enc device_private.pem out.bin
//
// (device_private.pem: the PKCS#8 form of DeviceKey, not kept). This test
// pins the deterministic output to those tool-checked bytes; TestOracle
// repeats the tool check when the tool is available.
func TestGoldenDeterministic(t *testing.T) {
	plain := readTestdata(t, "plain_4099.bin")
	priv := testRSAKey(t)
	gotRSA, err := Encrypt(plain, &priv.PublicKey, Options{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	gotECC, err := EncryptECIES(plain, testDeviceKey(t).PublicKey(), Options{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"ours_rsa_4099.enc": gotRSA, "ours_ecc_4099.enc": gotECC} {
		if os.Getenv("ENCIMG_UPDATE") == "1" {
			if err := os.WriteFile("testdata/"+name, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !bytes.Equal(got, readTestdata(t, name)) {
			t.Errorf("%s: deterministic output changed", name)
		}
	}
}
