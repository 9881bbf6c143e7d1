package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/lock"
	"github.com/espcompose/espcompose/stages"
)

// lockProject copies secure-production (flash encryption and Secure Boot V2) so the
// lock holds partitions, encryption decisions, a key fingerprint and a key digest.
func lockProject(t *testing.T) (dir, mf string, run func(args ...string) (int, string, string)) {
	t.Helper()
	dir = t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "secure-production"), dir)
	mf = filepath.Join(dir, "espcompose.hcl")
	fs := afero.NewOsFs()
	run = func(args ...string) (int, string, string) {
		return runCLI(t, fs, nil, append(args, "-f", mf, "-o", filepath.Join(dir, "dist"))...)
	}
	return dir, mf, run
}

func lockEditFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q (%v)", path, old, err)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lockLine is the line of attr inside the block starting with header in the lock.
func lockLine(t *testing.T, data []byte, header, attr string) int {
	t.Helper()
	lines := strings.Split(string(data), "\n")
	in := false
	for i, l := range lines {
		if strings.HasPrefix(l, header) {
			in = true
		}
		if in && strings.HasPrefix(strings.TrimSpace(l), attr+" ") {
			return i + 1
		}
	}
	t.Fatalf("no %s in %s", attr, header)
	return 0
}

func TestLockWritesDeterministicLayout(t *testing.T) {
	dir, _, run := lockProject(t)
	if code, _, stderr := run("lock"); code != 0 {
		t.Fatalf("lock: exit %d: %s", code, stderr)
	}
	path := filepath.Join(dir, "espcompose.lock")
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// What the lock says, decoded: the example's layout and its keys by identity only.
	f, err := lock.Parse(first, path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Chip != "esp32c3" || f.Bootloader == nil || !f.Bootloader.FlashEncrypted || len(f.Tables) != 1 || f.Tables[0].Offset != 0x8000 {
		t.Errorf("lock header/bootloader/table wrong: %+v", f)
	}
	byName := map[string]lock.Partition{}
	for _, p := range f.Partitions {
		byName[p.Name] = p
	}
	if p := byName["nvs"]; p.Offset != 0x9000 || p.Size != 0x6000 || p.FlashEncrypted || p.Subtype != "nvs" {
		t.Errorf("nvs locked as %+v", p)
	}
	if p := byName["ota_0"]; p.Type != "app" || !p.FlashEncrypted {
		t.Errorf("ota_0 locked as %+v", p)
	}
	if f.Security.FlashEncryption != "release" || f.Security.SecureBoot != "v2" || len(f.Keys) != 2 {
		t.Errorf("security locked as %+v, keys %+v", f.Security, f.Keys)
	}
	for _, k := range f.Keys {
		if k.Digest == "" && k.Fingerprint == "" {
			t.Errorf("key %s locked without identity", k.Name)
		}
	}
	// Never key material: not the flash key's bytes, in hex or raw.
	key, _ := os.ReadFile(filepath.Join(dir, "keys", "flash_encryption_key.bin"))
	if bytes.Contains(first, key) || bytes.Contains(bytes.ToLower(first), []byte(hexOf(key))) {
		t.Error("the lock holds the flash encryption key")
	}
	// Deterministic: locking again changes nothing; a fresh lock is byte-identical.
	if code, stdout, _ := run("lock"); code != 0 || !strings.Contains(stdout, "is up to date") {
		t.Errorf("second lock: exit %d, %q", code, stdout)
	}
	os.Remove(path)
	if code, _, _ := run("lock"); code != 0 {
		t.Fatal("relock failed")
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, first) {
		t.Error("locking the same manifest twice gave different files")
	}
	if code, _, stderr := run("plan"); code != 0 {
		t.Errorf("plan of the locked manifest: exit %d: %s", code, stderr)
	}
	if code, stdout, _ := run("lock", "--json"); code != 0 || !strings.Contains(stdout, `"status": "unchanged"`) {
		t.Errorf("lock --json: exit %d: %s", code, stdout)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestLockRefusesMovedResizedAndRekeyed(t *testing.T) {
	dir, mf, run := lockProject(t)
	if code, _, stderr := run("lock"); code != 0 {
		t.Fatalf("lock: %s", stderr)
	}
	lockPath := filepath.Join(dir, "espcompose.lock")
	locked, _ := os.ReadFile(lockPath)
	dist := filepath.Join(dir, "dist")

	// Growing nvs by 4K resizes it and moves every partition after it.
	lockEditFile(t, mf, `size     = "24K"`, `size     = "28K"`)
	for _, cmd := range []string{"validate", "plan", "build"} {
		code, _, stderr := run(cmd)
		if code != 2 {
			t.Fatalf("%s of a changed layout: exit %d, want 2\n%s", cmd, code, stderr)
		}
		for _, want := range []string{
			"espcompose.lock:" + strconv.Itoa(lockLine(t, locked, `partition "nvs"`, "size")) + `: partition "nvs" size locked at 0x6000, manifest now gives 0x7000 (espcompose.hcl:74)`,
			"espcompose.lock:" + strconv.Itoa(lockLine(t, locked, `partition "otadata"`, "offset")) + `: partition "otadata" offset locked at 0xf000, manifest now gives 0x10000`,
			`partition "phy_init" offset locked at 0x11000, manifest now gives 0x12000`,
			"lock --update",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", cmd, want, stderr)
			}
		}
		for _, p := range []string{dist, filepath.Join(dir, ".espcompose")} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Fatalf("%s wrote %s before refusing", cmd, p)
			}
		}
	}
	// lock without --update refuses too, and leaves the lock as it was.
	if code, _, stderr := run("lock"); code != 2 || !strings.Contains(stderr, `partition "nvs" size`) {
		t.Errorf("lock over a changed layout: exit %d: %s", code, stderr)
	}
	if now, _ := os.ReadFile(lockPath); !bytes.Equal(now, locked) {
		t.Error("a refused lock rewrote the file")
	}
	// --no-lock is the explicit way around it.
	if code, _, stderr := run("plan", "--no-lock"); code != 0 {
		t.Errorf("plan --no-lock: exit %d: %s", code, stderr)
	}
	// --update accepts the change; then plan passes.
	code, stdout, stderr := run("lock", "--update")
	if code != 0 || !strings.Contains(stdout, "accepting 4 change(s)") {
		t.Fatalf("lock --update: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run("plan"); code != 0 {
		t.Fatalf("plan after --update: exit %d: %s", code, stderr)
	}

	// A new Secure Boot key changes the locked digest.
	updated, _ := os.ReadFile(lockPath)
	pem, err := stages.GenerateKey("rsa-3072", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "secure_boot_signing_key.pem"), pem, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run("plan")
	want := "espcompose.lock:" + strconv.Itoa(lockLine(t, updated, `key "secure_boot"`, "digest")) + `: key "secure_boot" digest locked at `
	if code != 2 || !strings.Contains(stderr, want) || strings.Count(stderr, "locked at") != 1 {
		t.Errorf("plan with a new secure boot key: exit %d, want 2 and %q:\n%s", code, want, stderr)
	}
	if code, _, _ := run("lock", "--update"); code != 0 {
		t.Error("lock --update refused a new key")
	}
	if code, _, stderr := run("plan"); code != 0 {
		t.Errorf("plan after accepting the key: %s", stderr)
	}
}

func TestLockNeverReplacesForeignFile(t *testing.T) {
	dir, _, run := lockProject(t)
	path := filepath.Join(dir, "espcompose.lock")
	foreign := []byte("# my own notes\nlock = true\n")
	if err := os.WriteFile(path, foreign, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"lock"}, {"lock", "--update"}} {
		code, _, stderr := run(args...)
		if code != 2 || !strings.Contains(stderr, "espcompose did not write it") {
			t.Errorf("%v over a foreign file: exit %d: %s", args, code, stderr)
		}
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, foreign) {
		t.Error("lock replaced a file it did not write")
	}
	// plan refuses to trust it as a lock, naming the file.
	if code, _, stderr := run("plan"); code != 2 || !strings.Contains(stderr, "espcompose.lock:1: not an espcompose lock file") {
		t.Errorf("plan with a foreign lock: exit %d: %s", code, stderr)
	}
	// --lock-file names another lock; a missing one is an error, not "unlocked".
	if code, _, stderr := run("plan", "--lock-file", filepath.Join(dir, "none.lock")); code != 2 || !strings.Contains(stderr, "none.lock") {
		t.Errorf("plan --lock-file missing: exit %d: %s", code, stderr)
	}
	other := filepath.Join(dir, "release.lock")
	if code, _, stderr := run("lock", "--lock-file", other); code != 0 {
		t.Fatalf("lock --lock-file: %s", stderr)
	}
	if code, _, stderr := run("plan", "--lock-file", other); code != 0 {
		t.Errorf("plan --lock-file: %s", stderr)
	}
}

// TestLockCoversEveryDevice: with a devices block one lock holds every device's
// layout; a change is refused for the devices build too.
func TestLockCoversEveryDevice(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, "manufacturing"), dir)
	cutDevices(t, dir, 3) // the example has 120; three show the behaviour
	mf := filepath.Join(dir, "espcompose.hcl")
	run := func(args ...string) (int, string, string) {
		return runCLI(t, afero.NewOsFs(), nil, append(args, "-f", mf, "-o", filepath.Join(dir, "dist"))...)
	}
	if code, _, stderr := run("lock"); code != 0 {
		t.Fatalf("lock: %s", stderr)
	}
	if code, _, stderr := run("validate"); code != 0 {
		t.Fatalf("validate of every device against the lock: %s", stderr)
	}
	lockEditFile(t, mf, `size    = "24K"`, `size    = "28K"`)
	code, _, stderr := run("build")
	if code != 2 || !strings.Contains(stderr, "locked at") {
		t.Errorf("devices build over a changed layout: exit %d: %s", code, stderr)
	}
}
