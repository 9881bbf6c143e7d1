package main

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/stages"
)

// derivedKeyHCL turns the manufacturing example into a batch whose flash encryption
// key is derived per device from the example's master secret; a variable with a
// hostile value checks the quoting of efuse-plan.sh.
const derivedKeyHCL = `variable "line" {
  type    = string
  default = "line 1"
}

key "flash" {
  algorithm   = "xts-aes-128"
  derive_from = key.device_master
}

security {
  flash_encryption {
    key = key.flash
  }
}

cert "device" {`

// derivedKeyProject copies the example with n devices, adds the derived key and
// names the manifest hostilely: the plan must hand that name to key derive intact.
func derivedKeyProject(t *testing.T, n int) (dir, mf string) {
	dir = manufacturingCopy(t, n)
	src := readFile(t, filepath.Join(dir, "espcompose.hcl"))
	if !strings.Contains(src, `cert "device" {`) {
		t.Fatal("the example has no cert \"device\" block to anchor the derived key")
	}
	src = strings.Replace(src, `cert "device" {`, derivedKeyHCL, 1)
	must(t, os.Remove(filepath.Join(dir, "espcompose.hcl")))
	mf = filepath.Join(dir, "it's a $(touch pwned) `touch pwned`.hcl")
	must(t, os.WriteFile(mf, []byte(src), 0o644))
	return dir, mf
}

// TestDerivedFlashKey builds a batch with a derived flash encryption key and checks:
// each device's image decrypts with the key `key derive` gives it (and not with
// another device's), rebuilds reproduce the same keys and bytes, devices.csv carries
// each key's fingerprint, no key byte reaches dist/ or the cache, and efuse-plan.sh
// burns exactly that key and leaves no copy behind.
func TestDerivedFlashKey(t *testing.T) {
	dir, mf := derivedKeyProject(t, 3)
	hostile := "it's \"$(touch pwned)\" `touch pwned`"
	osfs := afero.NewOsFs()
	build := func(out string) {
		t.Helper()
		if code, _, stderr := runCLI(t, osfs, nil, "build", "-f", mf, "-var", "line="+hostile, "-o", out); code != 0 {
			t.Fatalf("build: exit %d\n%s", code, stderr)
		}
	}
	dist, dist2 := filepath.Join(dir, "dist"), filepath.Join(dir, "dist2")
	build(dist)
	build(dist2)
	ids := []string{"MTR-000101", "MTR-000102"}
	master, err := os.ReadFile(filepath.Join(dir, "test-ca-DO-NOT-SHIP", "device-master.bin"))
	if err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	derive := func(id, name string) []byte {
		t.Helper()
		out := filepath.Join(keyDir, name)
		if code, _, stderr := runCLI(t, osfs, nil, "key", "derive", "-f", mf, "-var", "line="+hostile, "--device", id, "flash", out); code != 0 {
			t.Fatalf("key derive %s: exit %d\n%s", id, code, stderr)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("key derive wrote mode %v, want 0600", st.Mode().Perm())
		}
		b, _ := os.ReadFile(out)
		return b
	}
	fps := fingerprints(t, filepath.Join(dist, "devices.csv"), "flash")
	keys := map[string][]byte{}
	for _, id := range ids {
		k := derive(id, id+".bin")
		if again := derive(id, id+".again.bin"); !bytes.Equal(k, again) {
			t.Fatalf("%s: two derivations differ", id)
		}
		want, err := stages.DeriveKey(master, "xts-aes-128", "flash", id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(k, want) || len(k) != 32 {
			t.Fatalf("%s: key derive wrote %d bytes that are not HKDF(master, id)", id, len(k))
		}
		if fps[id] != stages.Fingerprint(k) {
			t.Errorf("%s: devices.csv fingerprint %q, want the derived key's %q", id, fps[id], stages.Fingerprint(k))
		}
		keys[id] = k
	}
	if bytes.Equal(keys[ids[0]], keys[ids[1]]) {
		t.Fatal("two devices got the same derived key")
	}
	// The image each device gets decrypts, with its own key only, to the app.
	app, err := os.ReadFile(filepath.Join(dir, "images", "app.bin"))
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		enc, off := encryptedPartition(t, filepath.Join(dist, "devices", id), "ota_0")
		if again, _ := encryptedPartition(t, filepath.Join(dist2, "devices", id), "ota_0"); !bytes.Equal(enc, again) {
			t.Errorf("%s: a rebuild encrypted ota_0 differently", id)
		}
		if plain := decryptXTS(t, keys[id], enc, off); !bytes.Equal(plain[:len(app)], app) {
			t.Errorf("%s: ota_0 does not decrypt to images/app.bin with the derived key", id)
		}
		if other := decryptXTS(t, keys[ids[1-i]], enc, off); bytes.Equal(other[:len(app)], app) {
			t.Errorf("%s: ota_0 decrypts with another device's key", id)
		}
	}
	// No key, raw or hex, anywhere in the project: dist/, dist2/, the cache.
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for id, k := range keys {
			if bytes.Contains(b, k[:16]) || bytes.Contains(b, k[16:]) || bytes.Contains(bytes.ToLower(b), []byte(hex.EncodeToString(k[:16]))) {
				t.Errorf("%s holds %s's derived key", p, id)
			}
		}
		return nil
	})
	burned := runDerivedEfusePlan(t, dir, filepath.Join(dist, "devices", ids[0]))
	if !bytes.Equal(burned, keys[ids[0]]) {
		t.Fatal("efuse-plan.sh burned another key than the one the image is encrypted with")
	}
	for _, d := range []string{dir, dist} {
		if _, err := os.Stat(filepath.Join(d, "pwned")); err == nil {
			t.Errorf("efuse-plan.sh ran a command hidden in the manifest name or a variable (pwned in %s)", d)
		}
	}
}

// runDerivedEfusePlan runs a device's efuse-plan.sh from the manifest folder with
// stand-in tools; espefuse.py's burn_key copies the key file it is given. It returns
// what was burned, after checking that the file is gone once the script ends.
func runDerivedEfusePlan(t *testing.T, work, devDist string) []byte {
	t.Helper()
	bin := t.TempDir()
	capture := filepath.Join(bin, "burned.bin")
	espefuse := `#!/bin/sh
if [ "$5" = burn_key ]; then cp "$7" "$CAPTURE"; printf '%s\n' "$6 $7 $8" > "$CAPTURE.args"; fi
`
	must(t, os.WriteFile(filepath.Join(bin, "espefuse.py"), []byte(espefuse), 0o755))
	must(t, os.WriteFile(filepath.Join(bin, "esptool.py"), []byte("#!/bin/sh\n"), 0o755))
	cmd := exec.Command("sh", filepath.Join(devDist, "efuse-plan.sh"))
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PORT=/dev/ttyTEST", "DIST="+devDist, "CAPTURE="+capture, "TMPDIR="+bin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("efuse-plan.sh: %v\n%s", err, out)
	}
	args, err := os.ReadFile(capture + ".args")
	if err != nil {
		t.Fatal("efuse-plan.sh never burned a key")
	}
	f := strings.Fields(string(args))
	if len(f) != 3 || f[0] != "BLOCK_KEY0" || f[2] != "XTS_AES_128_KEY" {
		t.Errorf("efuse-plan.sh burns %q, want BLOCK_KEY0 <file> XTS_AES_128_KEY", args)
	}
	if _, err := os.Stat(f[1]); err == nil {
		t.Errorf("the derived key file %s outlived the script", f[1])
	}
	if _, err := os.Stat(filepath.Dir(f[1])); err == nil {
		t.Errorf("the key's temporary folder %s outlived the script", filepath.Dir(f[1]))
	}
	b, _ := os.ReadFile(capture)
	return b
}

// fingerprints reads devices.csv's key_fingerprint:<key> column by device id.
func fingerprints(t *testing.T, path, key string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "key_fingerprint:"+key {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("devices.csv has no key_fingerprint:%s column: %v", key, rows[0])
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r[col]
	}
	return out
}

// encryptedPartition reads a partition of a device's build and its flash offset.
func encryptedPartition(t *testing.T, devDir, name string) ([]byte, uint32) {
	t.Helper()
	var rec struct {
		FlashMap []struct {
			Name, Offset, File string
			Encrypted          bool
		} `json:"flash_map"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(devDir, "build.json"))), &rec); err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.FlashMap {
		if r.Name == name {
			if !r.Encrypted {
				t.Fatalf("%s is not encrypted", name)
			}
			off, err := strconv.ParseUint(r.Offset, 0, 32)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(devDir, r.File))
			if err != nil {
				t.Fatal(err)
			}
			return b, uint32(off)
		}
	}
	t.Fatalf("no partition %s in the flash map", name)
	return nil, 0
}

func decryptXTS(t *testing.T, key, enc []byte, off uint32) []byte {
	t.Helper()
	c, err := flashenc.NewCipher(key, flashenc.Options{Scheme: flashenc.XTSAES128})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := make([]byte, len(enc))
	if err := c.DecryptAt(out, enc, off); err != nil {
		t.Fatal(err)
	}
	return out
}

// The lock pins a derived flash key by its master secret, the one thing every
// device's key depends on: a new master is refused until the lock is updated.
func TestDerivedKeyLock(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing-encrypted"), dir)
	mf := filepath.Join(dir, "espcompose.hcl")
	osfs := afero.NewOsFs()
	if code, _, stderr := runCLI(t, osfs, nil, "lock", "-f", mf); code != 0 {
		t.Fatalf("lock: exit %d\n%s", code, stderr)
	}
	master := filepath.Join(dir, "test-ca-DO-NOT-SHIP", "device-master.bin")
	old, _ := os.ReadFile(master)
	lockText := readFile(t, filepath.Join(dir, "espcompose.lock"))
	if !strings.Contains(lockText, `key "device_master" {`) || !strings.Contains(lockText, `role        = "flash_encryption_master"`) ||
		!strings.Contains(lockText, stages.Fingerprint(old)) {
		t.Fatalf("the lock does not pin the master secret:\n%s", lockText)
	}
	must(t, os.WriteFile(master, bytes.Repeat([]byte{0x42}, 32), 0o600))
	code, _, stderr := runCLI(t, osfs, nil, "build", "-f", mf, "-o", filepath.Join(dir, "dist"))
	if code != 2 || !strings.Contains(stderr, `key "device_master" fingerprint locked at `+stages.Fingerprint(old)) {
		t.Fatalf("a new master secret: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
		t.Error("a refused build wrote dist/")
	}
}
