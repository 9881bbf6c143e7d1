package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/logx"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/stages"
)

// buildInProcess builds a manifest and returns its configuration and every stage artifact.
func buildInProcess(t *testing.T, fs afero.Fs, manifestPath, out string, logs *bytes.Buffer) (*compose.Configuration, *stages.Result) {
	t.Helper()
	p, err := compose.Load(compose.Options{FS: fs, Log: logx.New(logs, true), Manifest: manifestPath, Out: out, ToolVersion: version}, false)
	if err != nil {
		t.Fatalf("load: %v\n%s", err, logs)
	}
	defer p.Close()
	if len(p.Configs) != 1 {
		t.Fatalf("%s builds %d configurations, want 1", manifestPath, len(p.Configs))
	}
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatalf("build: %v\n%s", err, logs)
	}
	return p.Configs[0], res.Stages
}

// TestSecureExampleDecryptsToPlaintext decrypts every encrypted output of the secure
// example with its key and compares it with the plaintext stage output, then checks
// the signatures and reads the merged image back.
func TestSecureExampleDecryptsToPlaintext(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	fs := afero.NewOsFs()
	var logs bytes.Buffer
	dist := filepath.Join(dir, "dist")
	s, res := buildInProcess(t, fs, filepath.Join(dir, "espcompose.hcl"), dist, &logs)
	key, _ := os.ReadFile(filepath.Join(dir, "keys", "flash_encryption_key.bin"))
	pubPEM, _ := os.ReadFile(filepath.Join(dist, "keys", "secure_boot.pub.pem"))
	pub, err := secureboot.ParsePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	encrypted := 0
	for _, r := range s.Plan.Regions {
		if r.Stage == "" {
			continue
		}
		file, err := os.ReadFile(filepath.Join(dist, r.File))
		if err != nil {
			t.Fatal(err)
		}
		st, _ := s.Plan.Graph.Node(r.Stage)
		if !r.Encrypted {
			if st.Kind() == "encrypt" {
				t.Errorf("%s is not to be encrypted but comes from %s", r.Name, r.Stage)
			}
			continue
		}
		encrypted++
		enc, ok := st.(*stages.Encrypt)
		if !ok {
			t.Fatalf("%s should be encrypted, its stage is %s", r.Name, r.Stage)
		}
		plain := res.Artifacts[enc.Dep].Data
		got := make([]byte, len(file))
		if err := flashenc.Decrypt(got, file, key, r.Offset, flashenc.Options{Scheme: flashenc.XTSAES128}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:len(plain)], plain) {
			t.Errorf("%s decrypted at 0x%x differs from the plaintext stage output", r.Name, r.Offset)
		}
		if bytes.Contains(file, plain[:64]) {
			t.Errorf("%s: plaintext visible in the encrypted file", r.Name)
		}
		if r.Signed {
			blocks, err := secureboot.VerifyV2(plain, pub)
			if err != nil || !blocks[0].Verified {
				t.Errorf("%s: signature does not verify: %v", r.Name, err)
			}
		}
	}
	if encrypted < 5 {
		t.Errorf("only %d regions encrypted; want bootloader, table, otadata, nvs_keys, app", encrypted)
	}
	merged, _ := os.ReadFile(filepath.Join(dist, "sensor-node-factory.bin"))
	in, err := outputs.Inspect(merged, outputs.InspectOptions{Chip: "esp32c3", FlashKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if !in.Encrypted || in.Bootloader == nil || !in.Bootloader.ChecksumOK || in.Bootloader.SignedBlocks != 1 ||
		!in.Bootloader.Signatures[0].Valid || in.Bootloader.FlashSize != "4MB" {
		t.Errorf("bootloader read back wrong: %+v", in.Bootloader)
	}
	found := map[string]bool{}
	for _, p := range in.Partitions {
		found[p.Name] = true
		switch p.Name {
		case "ota_0":
			if p.Image == nil || p.Image.Project != "sensor-node" || p.Image.SignedBlocks != 1 {
				t.Errorf("ota_0 read back wrong: %+v %s", p.Image, p.Problem)
			}
		case "otadata":
			if p.OTAData == nil || p.OTAData.Slot != -1 {
				t.Errorf("blank otadata did not decrypt to blank: %+v %s", p.OTAData, p.Problem)
			}
		case "nvs":
			if p.Encrypted || len(p.NVS) != 3 || p.NVS[0].Value != "eu868" {
				t.Errorf("NVS (decrypted with the nvs_keys partition) = %+v %s", p.NVS, p.Problem)
			}
		}
	}
	if !found["nvs_keys"] || !found["ota_1"] {
		t.Errorf("partitions missing: %v", found)
	}
}

// TestKeysNeverLeak builds the secure example with verbose logs and checks that no
// key material appears in dist/, the cache, or the logs, and that key files are
// untouched.
func TestKeysNeverLeak(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	keyFiles := map[string][]byte{}
	infos := map[string]os.FileInfo{}
	for _, name := range []string{"flash_encryption_key.bin", "nvs_keys.bin", "secure_boot_signing_key.pem"} {
		p := filepath.Join(dir, "keys", name)
		keyFiles[p], _ = os.ReadFile(p)
		infos[p], _ = os.Stat(p)
	}
	var logs bytes.Buffer
	buildInProcess(t, afero.NewOsFs(), filepath.Join(dir, "espcompose.hcl"), filepath.Join(dir, "dist"), &logs)

	var secrets [][]byte
	for p, b := range keyFiles {
		switch {
		case strings.HasSuffix(p, "nvs_keys.bin"):
			k, err := nvs.ParseKeyPartition(b)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, k.Encryption[:], k.Tweak[:])
		case strings.HasSuffix(p, ".pem"):
			k, err := secureboot.ParsePrivateKeyPEM(b)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, k.RSA.D.Bytes(), k.RSA.Primes[0].Bytes(), b[40:120])
		default:
			secrets = append(secrets, b, b[:16], b[16:])
		}
	}
	check := func(where string, data []byte) {
		for _, s := range secrets {
			if bytes.Contains(data, s) {
				t.Errorf("key material found in %s", where)
			}
		}
	}
	check("logs", logs.Bytes())
	for _, root := range []string{filepath.Join(dir, "dist"), filepath.Join(dir, ".espcompose")} {
		_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, _ := os.ReadFile(p)
				check(p, b)
			}
			return nil
		})
	}
	for p, b := range keyFiles {
		now, _ := os.ReadFile(p)
		st, _ := os.Stat(p)
		if !bytes.Equal(now, b) || !st.ModTime().Equal(infos[p].ModTime()) || st.Mode() != infos[p].Mode() {
			t.Errorf("%s was modified by the build", p)
		}
	}
}

// TestKeysCreatedOnceWith0600 creates missing keys on the first build, with mode 0600,
// and leaves them exactly as they are on the next.
func TestKeysCreatedOnceWith0600(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	mf := filepath.Join(dir, "espcompose.hcl")
	src, _ := os.ReadFile(mf)
	src = bytes.ReplaceAll(src, []byte(`file      = "keys/`), []byte(`create    = true
  file      = "new-keys/`))
	if err := os.WriteFile(mf, src, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	buildInProcess(t, afero.NewOsFs(), mf, filepath.Join(dir, "dist"), &logs)
	made := map[string][]byte{}
	for _, name := range []string{"flash_encryption_key.bin", "nvs_keys.bin", "secure_boot_signing_key.pem"} {
		p := filepath.Join(dir, "new-keys", name)
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s not created: %v", name, err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, st.Mode().Perm())
		}
		made[p], _ = os.ReadFile(p)
	}
	logs.Reset()
	buildInProcess(t, afero.NewOsFs(), mf, filepath.Join(dir, "dist"), &logs)
	for p, b := range made {
		if now, _ := os.ReadFile(p); !bytes.Equal(now, b) {
			t.Errorf("%s changed on the second build", p)
		}
	}
}
