package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/securecert"
	"github.com/espcompose/espcompose/stages"
)

// manufacturingCopy copies examples/manufacturing with its devices.csv cut to the first n
// rows plus extra rows, as a production line would append them.
func manufacturingCopy(t *testing.T, n int, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), dir)
	lines := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "devices.csv"))), "\n")
	rows := append(lines[:n+1], extra...)
	if err := os.WriteFile(filepath.Join(dir, "devices.csv"), []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cutDevices keeps the first n rows of a copied example's devices.csv: tests that
// check a batch's behaviour need a few devices, not the example's 120.
func cutDevices(t *testing.T, dir string, n int) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "devices.csv"))), "\n")
	if err := os.WriteFile(filepath.Join(dir, "devices.csv"), []byte(strings.Join(lines[:n+1], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func buildDir(t *testing.T, dir string, env map[string]string) {
	t.Helper()
	if code, _, stderr := runCLI(t, afero.NewOsFs(), env, "build", "-f", filepath.Join(dir, "espcompose.hcl"), "-o", filepath.Join(dir, "dist")); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
}

func caPool(t *testing.T, path string) (*x509.CertPool, []byte) {
	t.Helper()
	blk, _ := pem.Decode([]byte(readFile(t, path)))
	ca, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, blk.Bytes
}

// TestManufacturingFiftyDevices builds 50 rows of examples/manufacturing plus a row no file was
// made for, twice in two folders: each device's NVS holds its own serial and a
// certificate for it that verifies against the test CA, its esp_secure_cert partition
// holds the same certificate and the key derived again here, and both builds are
// byte-identical.
func TestManufacturingFiftyDevices(t *testing.T) {
	newRow := "NEW-000001,4,eu868"
	a, b := manufacturingCopy(t, 49, newRow), manufacturingCopy(t, 49, newRow)
	buildDir(t, a, nil)
	buildDir(t, b, nil)
	if sa, sb := readFile(t, filepath.Join(a, "dist", "SHA256SUMS")), readFile(t, filepath.Join(b, "dist", "SHA256SUMS")); sa != sb {
		t.Fatal("two builds of the same inputs differ")
	}
	pool, caDER := caPool(t, filepath.Join(a, "test-ca-DO-NOT-SHIP", "ca.crt.pem"))
	master := []byte(readFile(t, filepath.Join(a, "test-ca-DO-NOT-SHIP", "device-master.bin")))
	ids := []string{}
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(a, "devices.csv"))), "\n")[1:] {
		ids = append(ids, strings.Split(l, ",")[0])
	}
	if len(ids) != 50 || ids[49] != "NEW-000001" {
		t.Fatalf("ids %v", ids)
	}
	serials := map[string]string{}
	for _, id := range ids {
		dev := filepath.Join(a, "dist", "devices", id, "partitions")
		d, err := nvs.Decode([]byte(readFile(t, filepath.Join(dev, "factory_nvs.bin"))), nil)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		got := map[string]nvs.Entry{}
		for _, e := range d.Partition.Namespaces[0].Entries {
			got[e.Key] = e
		}
		if got["serial"].Str != id {
			t.Errorf("%s: NVS serial %q", id, got["serial"].Str)
		}
		cert, err := x509.ParseCertificate(got["cert"].Blob)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		dns := strings.ToLower(id) + ".devices.example.com"
		if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: dns, CurrentTime: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if cert.Subject.CommonName != id || len(cert.URIs) != 1 || cert.URIs[0].String() != "urn:dev:serial:"+id {
			t.Errorf("%s: subject %q, URIs %v", id, cert.Subject.CommonName, cert.URIs)
		}
		if prev, dup := serials[cert.SerialNumber.String()]; dup {
			t.Errorf("%s and %s share serial %s", prev, id, cert.SerialNumber)
		}
		serials[cert.SerialNumber.String()] = id
		if blk, _ := pem.Decode([]byte(got["ca"].Str)); blk == nil || !bytes.Equal(blk.Bytes, caDER) {
			t.Errorf("%s: NVS ca is not the CA certificate", id)
		}
		entries, err := securecert.Decode([]byte(readFile(t, filepath.Join(dev, "esp_secure_cert.bin"))))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		dc, _ := securecert.Find(entries, securecert.DevCert, 0)
		if blk, _ := pem.Decode(dc.Data); blk == nil || !bytes.Equal(blk.Bytes, cert.Raw) {
			t.Errorf("%s: esp_secure_cert holds another certificate than NVS", id)
		}
		key, err := stages.DeriveECDSAP256(master, "device", id)
		if err != nil {
			t.Fatal(err)
		}
		pk, _ := securecert.Find(entries, securecert.PrivKey, 0)
		want, _ := stages.MarshalDeviceKey(key, true)
		if !bytes.Equal(pk.Data, securecert.PEMData(want)) || !key.PublicKey.Equal(cert.PublicKey) {
			t.Errorf("%s: the key is not the one derived from the master secret", id)
		}
	}
	// No device key reaches the cache.
	_ = filepath.Walk(filepath.Join(a, ".espcompose"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.Contains(readFile(t, p), "PRIVATE KEY") {
			t.Errorf("the cache holds a private key: %s", p)
		}
		return nil
	})
}

// TestCertKeyFiles issues from per-device key files (key_file) and places the key in
// NVS as a PEM string: each device gets its own file's key and a certificate for it.
func TestCertKeyFiles(t *testing.T) {
	dir := manufacturingCopy(t, 3)
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	keys := map[string]*ecdsa.PrivateKey{}
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("MTR-%06d", 100+i)
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		keys[id] = k
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		if err := os.WriteFile(filepath.Join(dir, "keys", id+".pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hcl := readFile(t, filepath.Join(dir, "espcompose.hcl"))
	if !strings.Contains(hcl, "derive_from  = key.device_master #") || !strings.Contains(hcl, `    entry "ca" {`) {
		t.Fatal("the example's manifest changed; update this test's edits")
	}
	hcl = strings.Replace(hcl, "derive_from  = key.device_master # ECDSA P-256, HKDF(master, device id)", `key_file     = "keys/${device.serial}.pem"`, 1)
	hcl = strings.Replace(hcl, `    entry "ca" {`, `    entry "key" {
      type = "string"
      cert = cert.device
      item = "private_key"
    }
    entry "ca" {`, 1)
	if err := os.WriteFile(filepath.Join(dir, "espcompose.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	buildDir(t, dir, nil)
	pool, _ := caPool(t, filepath.Join(dir, "test-ca-DO-NOT-SHIP", "ca.crt.pem"))
	for id, k := range keys {
		d, err := nvs.Decode([]byte(readFile(t, filepath.Join(dir, "dist", "devices", id, "partitions", "factory_nvs.bin"))), nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]nvs.Entry{}
		for _, e := range d.Partition.Namespaces[0].Entries {
			got[e.Key] = e
		}
		cert, err := x509.ParseCertificate(got["cert"].Blob)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Error(err)
		}
		blk, _ := pem.Decode([]byte(got["key"].Str))
		if blk == nil || blk.Type != "EC PRIVATE KEY" {
			t.Fatalf("%s: NVS key is not a PEM EC key", id)
		}
		nk, err := x509.ParseECPrivateKey(blk.Bytes)
		if err != nil || !nk.Equal(k) || !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
			t.Errorf("%s: NVS key or certificate is not for the device's key file", id)
		}
	}
}

// TestCertSourceDateEpoch: without not_before the certificate starts at
// SOURCE_DATE_EPOCH, and ends validity later.
func TestCertSourceDateEpoch(t *testing.T) {
	dir := manufacturingCopy(t, 1)
	hcl := readFile(t, filepath.Join(dir, "espcompose.hcl"))
	line := "  not_before   = \"2027-01-01T00:00:00Z\"\n"
	if !strings.Contains(hcl, line) {
		t.Fatal("the example's manifest changed; update this test's edit")
	}
	if err := os.WriteFile(filepath.Join(dir, "espcompose.hcl"), []byte(strings.Replace(hcl, line, "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	buildDir(t, dir, map[string]string{"SOURCE_DATE_EPOCH": "1830297600"}) // 2028-01-01
	d, err := nvs.Decode([]byte(readFile(t, filepath.Join(dir, "dist", "devices", "MTR-000101", "partitions", "factory_nvs.bin"))), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range d.Partition.Namespaces[0].Entries {
		if e.Key != "cert" {
			continue
		}
		c, err := x509.ParseCertificate(e.Blob)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
		if !c.NotBefore.Equal(start) || !c.NotAfter.Equal(start.Add(20*365*24*time.Hour)) {
			t.Errorf("valid %s..%s", c.NotBefore, c.NotAfter)
		}
		return
	}
	t.Fatal("no cert entry")
}
