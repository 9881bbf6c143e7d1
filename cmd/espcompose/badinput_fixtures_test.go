package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/testimage"
)

// The fixtures every bad-input case starts from. Each is valid on its own
// (TestBadInputFixturesAreGood runs the commands on them), so a case fails because
// of the one thing it breaks:
//
//	app.bin, app32.bin, boot.bin   esp32c3 app, esp32 app, esp32c3 bootloader
//	signed.bin, signed1.bin        app.bin signed V2 with rsa3072.pem; app32.bin signed V1 with p256.pem
//	rsa3072.pem rsa3072_pub.pem rsa2048.pem p256.pem p256_pub.pem p384.pem p521.pem
//	corrupt.pem, notkey.pem        a PEM with broken base64; a certificate-shaped PEM of junk
//	key16/24/31/32/64.bin          raw flash encryption keys of that many bytes
//	hmac.bin, nvs_keys.bin         32-byte HMAC key; a valid nvs_keys partition image
//	digest32.bin, digest48.bin     raw digests for sign-digest
//	pt.csv, nvs.csv                a valid partition table CSV; a valid NVS CSV
//	trunc.bin, t8.bin              app.bin cut to 100 and to 8 bytes
//	text.txt, empty.bin            not an image; zero bytes
//	qs/                            the quickstart example (espcompose.hcl, images/), plus qs/keys/sign.pem
var (
	fixturesOnce sync.Once
	fixturesData map[string][]byte
	fixturesErr  error
)

// badInputFixtures returns the fixture tree, path -> content; build it once.
func badInputFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	fixturesOnce.Do(func() { fixturesData, fixturesErr = makeFixtures() })
	if fixturesErr != nil {
		t.Fatalf("fixtures: %v", fixturesErr)
	}
	return fixturesData
}

func makeFixtures() (map[string][]byte, error) {
	m := map[string][]byte{}
	// Hand-written text fixtures and the test keys.
	if err := readTreeInto(m, filepath.Join("testdata", "badinput"), ""); err != nil {
		return nil, err
	}
	for _, f := range []string{"espcompose.hcl", "images/app.bin", "images/bootloader.bin"} {
		b, err := os.ReadFile(filepath.Join(examplesDir, "quickstart", filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		m["qs/"+f] = b
	}
	m["qs/keys/sign.pem"] = m["rsa3072.pem"]

	var err error
	if m["app.bin"], err = testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "app", Version: "1.0.0"}); err != nil {
		return nil, err
	}
	if m["app32.bin"], err = testimage.App(testimage.AppSpec{Chip: "esp32", Project: "app", Version: "1.0.0"}); err != nil {
		return nil, err
	}
	if m["boot.bin"], err = testimage.Bootloader("esp32c3"); err != nil {
		return nil, err
	}
	rsa, err := secureboot.ParsePrivateKeyPEM(m["rsa3072.pem"])
	if err != nil {
		return nil, err
	}
	if m["signed.bin"], err = secureboot.SignV2(m["app.bin"], []*secureboot.PrivateKey{rsa}, secureboot.SignOptions{}); err != nil {
		return nil, err
	}
	p256, err := secureboot.ParsePrivateKeyPEM(m["p256.pem"])
	if err != nil {
		return nil, err
	}
	if m["signed1.bin"], err = secureboot.SignV1(p256, m["app32.bin"]); err != nil {
		return nil, err
	}

	m["corrupt.pem"] = []byte("-----BEGIN PRIVATE KEY-----\nthis is not base64!\n-----END PRIVATE KEY-----\n")
	m["notkey.pem"] = []byte("-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n")
	for _, n := range []int{16, 24, 31, 32, 64} {
		m["key"+strconv.Itoa(n)+".bin"] = pattern(n, 0x11)
	}
	m["hmac.bin"] = pattern(32, 0x5a)
	keys, err := nvs.KeysFromBytes(pattern(64, 0x77))
	if err != nil {
		return nil, err
	}
	m["nvs_keys.bin"] = keys.MarshalPartition()
	m["digest32.bin"] = pattern(32, 0x33)
	m["digest48.bin"] = pattern(48, 0x48)
	m["trunc.bin"] = m["app.bin"][:100] // cut inside the first segment
	m["t8.bin"] = m["app.bin"][:8]      // cut inside the image header
	m["text.txt"] = []byte("hello, this is a text file and not a firmware image\n")
	m["empty.bin"] = []byte{}
	return m, nil
}

// badInputFixture returns one fixture, for cases that derive a file from it.
func badInputFixture(name string) []byte {
	fixturesOnce.Do(func() { fixturesData, fixturesErr = makeFixtures() })
	if fixturesErr != nil {
		panic(fixturesErr)
	}
	b, ok := fixturesData[name]
	if !ok {
		panic("no fixture " + name)
	}
	return b
}

// flipByte returns a copy of b with the byte at i inverted.
func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

// padTo4K returns b padded with 0xFF to a multiple of 4096 bytes: an unsigned image
// laid out as a signed one would be, but with no signature sector.
func padTo4K(b []byte) []byte {
	return append(bytes.Clone(b), bytes.Repeat([]byte{0xff}, -len(b)&0xfff)...)
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }

// pattern returns n deterministic bytes, different for each seed.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func readTreeInto(m map[string][]byte, root, prefix string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		m[prefix+filepath.ToSlash(rel)] = b
		return nil
	})
}

// qsEdit returns the quickstart manifest with the first occurrence of old replaced
// by new, as a case's files. It panics when old is absent, so that a case can never
// silently test the unbroken manifest.
func qsEdit(old, new string) map[string]string {
	b, err := os.ReadFile(filepath.Join(examplesDir, "quickstart", "espcompose.hcl"))
	if err != nil {
		panic(err)
	}
	s := string(b)
	if !strings.Contains(s, old) {
		panic("qsEdit: the quickstart manifest has no " + old)
	}
	return file("qs/espcompose.hcl", strings.Replace(s, old, new, 1))
}

// qsSecureBoot is the security block that makes qs/ a Secure Boot V2 project signed
// with qs/keys/sign.pem; append it with qsAppend.
const qsSecureBoot = `
key "sb" {
  algorithm = "rsa-3072"
  file      = "keys/sign.pem"
}

security {
  secure_boot {
    version = 2
    keys    = [key.sb]
  }
}
`

// qsSecureBootEdit returns the quickstart manifest with qsSecureBoot appended, its
// first old replaced by new; it panics when old is absent, as qsEdit does.
func qsSecureBootEdit(old, new string) map[string]string {
	if !strings.Contains(qsSecureBoot, old) {
		panic("qsSecureBootEdit: the security block has no " + old)
	}
	return qsAppend(strings.Replace(qsSecureBoot, old, new, 1))
}

// qsAppend returns the quickstart manifest with text appended.
func qsAppend(text string) map[string]string {
	b, err := os.ReadFile(filepath.Join(examplesDir, "quickstart", "espcompose.hcl"))
	if err != nil {
		panic(err)
	}
	return file("qs/espcompose.hcl", string(b)+text)
}

// TestBadInputFixturesAreGood runs, on the unbroken fixtures, the commands the
// bad-input cases break: each must succeed, so every case fails for its own reason.
func TestBadInputFixturesAreGood(t *testing.T) {
	fixtures := badInputFixtures(t)
	for _, args := range [][]string{
		argv("partition-table encode --flash-size 4MB pt.csv out/pt.bin"),
		argv("image info app.bin"),
		argv("image info --chip esp32 app32.bin"),
		argv("image build --chip esp32c3 out/gen.bin"),
		argv("merge --chip esp32c3 -o out/m.bin 0x0 boot.bin 0x10000 app.bin"),
		argv("nvs encode nvs.csv out/nvs.bin --size 0x3000"),
		argv("nvs encode nvs.csv out/nvs.bin --size 0x3000 --keyfile nvs_keys.bin"),
		argv("nvs keygen out/k.bin --hmac-key hmac.bin"),
		argv("encrypt --chip esp32c3 --key key32.bin --address 0x10000 app.bin out/e.bin"),
		argv("decrypt --chip esp32 --key key32.bin --address 0x10000 app.bin out/d.bin"),
		argv("sign --key rsa3072.pem app.bin out/s.bin"),
		argv("sign --version 1 --key p256.pem app32.bin out/s1.bin"),
		argv("verify --key rsa3072_pub.pem signed.bin"),
		argv("verify --version 1 --key p256_pub.pem signed1.bin"),
		argv("digest-pubkey --key rsa3072_pub.pem out/d.bin"),
		argv("digest-pubkey --version 1 --key p256.pem out/d1.bin"),
		argv("sign-digest --key rsa3072.pem digest32.bin out/sig.bin"),
		argv("sign-digest --key p384.pem digest48.bin out/sig.bin"),
		argv("validate -f qs/espcompose.hcl"),
		argv("plan -f qs/espcompose.hcl"),
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			for p, b := range fixtures {
				writeCaseFile(t, dir, p, b)
			}
			if code, _, stderr := runCLI(t, newCaseFS(dir), nil, args...); code != 0 {
				t.Errorf("exit %d:\n%s", code, stderr)
			}
		})
	}
	t.Run("sign-request", func(t *testing.T) {
		dir := t.TempDir()
		for p, b := range fixtures {
			writeCaseFile(t, dir, p, b)
		}
		for p, s := range qsAppend(qsSecureBoot) {
			writeCaseFile(t, dir, p, []byte(s))
		}
		if code, _, stderr := runCLI(t, newCaseFS(dir), nil, argv("sign-request -f qs/espcompose.hcl -o out/req.json --cache-dir cache")...); code != 0 {
			t.Errorf("exit %d:\n%s", code, stderr)
		}
	})
}
