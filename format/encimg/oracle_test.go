package encimg

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOracle cross-checks against the reference tool when ENCIMG_ORACLE
// names a local copy of esp_enc_img_gen.py (python3 with cryptography
// needed), e.g.
//
//	git show HEAD:esp_encrypted_img/tools/esp_enc_img_gen.py > /tmp/esp_enc_img_gen.py  # in idf-extra-components
//	ENCIMG_ORACLE=/tmp/esp_enc_img_gen.py go test ./format/encimg -run Oracle -v
//
// Both directions, both schemes, deterministic and random mode: the tool
// decrypts what we encrypt, and we decrypt what it encrypts now.
func TestOracle(t *testing.T) {
	tool := os.Getenv("ENCIMG_ORACLE")
	if tool == "" {
		t.Skip("ENCIMG_ORACLE not set")
	}
	dir := t.TempDir()
	priv := testRSAKey(t)
	dev := testDeviceKey(t)
	devDER, err := x509.MarshalPKCS8PrivateKey(dev)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	devPEM := write("device_private.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: devDER}))
	rsaPriv, _ := filepath.Abs("testdata/rsa3072_private.pem")
	rsaPub, _ := filepath.Abs("testdata/rsa3072_public.pem")
	devPub, _ := filepath.Abs("testdata/device_public.pem")
	run := func(args ...string) {
		t.Helper()
		out, err := exec.Command("python3", append([]string{tool}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}

	plain := make([]byte, 70000)
	rand.Read(plain)
	plainPath := write("plain.bin", plain)
	type enc func(Options) ([]byte, error)
	cases := []struct {
		name    string
		encrypt enc
		key     string
	}{
		{"rsa", func(o Options) ([]byte, error) { return Encrypt(plain, &priv.PublicKey, o) }, rsaPriv},
		{"ecc", func(o Options) ([]byte, error) { return EncryptECIES(plain, dev.PublicKey(), o) }, devPEM},
	}
	for _, c := range cases {
		for _, mode := range []struct {
			name string
			opts Options
		}{{"secret", Options{Secret: testSecret}}, {"rand", Options{Rand: rand.Reader}}} {
			pkg, err := c.encrypt(mode.opts)
			if err != nil {
				t.Fatal(err)
			}
			in := write(c.name+mode.name+".enc", pkg)
			out := filepath.Join(dir, c.name+mode.name+".out")
			run("decrypt", in, c.key, out)
			if got, _ := os.ReadFile(out); !bytes.Equal(got, plain) {
				t.Errorf("%s/%s: tool decrypted something else", c.name, mode.name)
			}
		}
	}
	for _, name := range []string{"ours_rsa_4099.enc", "ours_ecc_4099.enc"} {
		key := rsaPriv
		if name == "ours_ecc_4099.enc" {
			key = devPEM
		}
		in, _ := filepath.Abs("testdata/" + name)
		out := filepath.Join(dir, name+".out")
		run("decrypt", in, key, out)
		if got, _ := os.ReadFile(out); !bytes.Equal(got, readTestdata(t, "plain_4099.bin")) {
			t.Errorf("%s: tool decrypted something else", name)
		}
	}

	run("encrypt", plainPath, rsaPub, filepath.Join(dir, "tool_rsa.enc"))
	run("encrypt", plainPath, devPub, filepath.Join(dir, "tool_ecc.enc"))
	toolRSA, _ := os.ReadFile(filepath.Join(dir, "tool_rsa.enc"))
	toolECC, _ := os.ReadFile(filepath.Join(dir, "tool_ecc.enc"))
	if got, err := Decrypt(toolRSA, priv); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("tool RSA package: err %v", err)
	}
	if got, err := DecryptECIES(toolECC, dev); err != nil || !bytes.Equal(got, plain) {
		t.Errorf("tool ECIES package: err %v", err)
	}
}
