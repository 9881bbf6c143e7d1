package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// certCABlock is a cert block on the quickstart fixture, issuing into an
// esp_secure_cert partition from the p256.pem fixture as CA key; each case edits one
// line of it. It starts on line 82 of qs/espcompose.hcl (before output {).
const certCABlock = `key "ca" {
  algorithm = "ecdsa-p256"
  file      = "../p256.pem"
}
key "master" {
  algorithm = "hmac"
  file      = "../hmac.bin"
}
cert "dev" {
  ca_key      = key.ca
  ca_cert     = "ca.pem"
  derive_from = key.master
  common_name = "dev-1"
  not_before  = "2027-01-01T00:00:00Z"
  validity    = "10y"
}
partition "esp_secure_cert" {
  type     = 0x3F
  subtype  = 0
  size     = "8K"
  contents = cert.dev
}
`

var (
	certCAOnce sync.Once
	certCAPEM  string
)

// certCA is a CA certificate for the p256.pem fixture key.
func certCA() string {
	certCAOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join("testdata", "badinput", "p256.pem"))
		if err != nil {
			panic(err)
		}
		blk, _ := pem.Decode(b)
		key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			key, err = x509.ParseECPrivateKey(blk.Bytes)
		}
		if err != nil {
			panic(err)
		}
		signer := key.(crypto.Signer)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bad-input test CA"},
			NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
		if err != nil {
			panic(err)
		}
		certCAPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	})
	return certCAPEM
}

// otherCA is a CA certificate for a key no fixture holds.
func otherCA() string {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// certEdit is the quickstart manifest with the cert block, old replaced by new in it.
func certEdit(old, new string) map[string]string {
	if !strings.Contains(certCABlock, old) {
		panic("certEdit: no " + old)
	}
	m := qsEdit("output {", strings.Replace(certCABlock, old, new, 1)+"output {")
	// Make room for the 8K partition: the quickstart fills its 4 MB.
	m["qs/espcompose.hcl"] = strings.Replace(m["qs/espcompose.hcl"], `size    = "896K"`, `size    = "880K"`, 1)
	return files(m, file("qs/ca.pem", certCA()), file("qs/other-ca.pem", otherCA()))
}

func certCases() []badCase {
	qs := func(cmd string) []string { return argv(cmd + " -f qs/espcompose.hcl -o out --cache-dir cache") }
	return []badCase{
		{"cert unknown algorithm", certEdit(`derive_from = key.master`, `derive_from = key.master
  algorithm   = "ed25519"`), qs("validate"), 2, "Error: Unknown certificate key algorithm\n  on qs/espcompose.hcl line 94, in cert \"dev\":"},
		{"cert CA certificate missing", certEdit(`"ca.pem"`, `"nope.pem"`), qs("build"), 2, "Error: Cannot read the CA certificate\n  on qs/espcompose.hcl line 92, in cert \"dev\":"},
		{"cert CA certificate is a key", certEdit(`"ca.pem"`, `"../p256.pem"`), qs("validate"), 2, "Error: Invalid CA certificate\n  on qs/espcompose.hcl line 92, in cert \"dev\":"},
		{"cert CA key does not match", certEdit(`"ca.pem"`, `"other-ca.pem"`), qs("build"), 2, "Error: CA key does not match the CA certificate\n  on qs/espcompose.hcl line 91, in cert \"dev\":"},
		{"cert validity out of range", certEdit(`"10y"`, `"300y"`), qs("build"), 2, "Error: Invalid validity\n  on qs/espcompose.hcl line 96, in cert \"dev\":"},
		{"cert negative validity", certEdit(`"10y"`, `"-5d"`), qs("validate"), 2, "Error: Invalid validity\n  on qs/espcompose.hcl line 96, in cert \"dev\":"},
		{"cert not_before out of range", certEdit(`"2027-01-01T00:00:00Z"`, `"1900-01-01T00:00:00Z"`), qs("plan"), 2, "Error: not_before out of range\n  on qs/espcompose.hcl line 95, in cert \"dev\":"},
		{"cert no start date", certEdit(`  not_before  = "2027-01-01T00:00:00Z"
`, ``), qs("build"), 2, "Error: No certificate start date\n  on qs/espcompose.hcl line 90, in cert \"dev\":"},
		{"cert derived RSA key", certEdit(`derive_from = key.master`, `derive_from = key.master
  algorithm   = "rsa-2048"`), qs("validate"), 2, "Error: Derived keys are ECDSA P-256 only\n  on qs/espcompose.hcl line 93, in cert \"dev\":"},
		{"cert no device key source", certEdit("  derive_from = key.master\n", ""), qs("validate"), 2, "Error: Device key has no source\n  on qs/espcompose.hcl line 90, in cert \"dev\":"},
		{"cert in an nvs partition", certEdit("type     = 0x3F\n  subtype  = 0", `type     = "data"
  subtype  = "spiffs"`), qs("validate"), 2, "Error: Certificate in a non-esp_secure_cert partition\n  on qs/espcompose.hcl line 102, in partition \"esp_secure_cert\":"},
	}
}
