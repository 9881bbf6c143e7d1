package diff

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"testing"
	"text/template"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/testimage"
)

// release is one crafted release: a manifest built from these settings.
type release struct {
	Chip,
	Table, NVSOffset, NVSSize, OtadataOffset, Ota1Size string
	Secure             uint32 // the app's secure_version
	CodeSize           int
	FEKey, FEAlgorithm string // "" for no flash encryption
	SBKeys             []string
	NoOTA              bool
	Extra              string // subtype of a data partition after ota_1; "" for none
	ExtraReadonly      bool
	NVSEntry           string // a second entry in the NVS namespace; "" for none
}

func base() release {
	return release{Chip: "esp32c6", Table: "0x8000", NVSOffset: "0x9000", NVSSize: "24K", OtadataOffset: "0xf000", Ota1Size: "1M", Secure: 1, CodeSize: 0x4000}
}

var manifestTmpl = template.Must(template.New("m").Parse(`espcompose { version = 1 }
target {
  chip       = "{{.Chip}}"
  flash_size = "4MB"
  flash_mode = "dio"
  flash_freq = "80m"
}
{{if .FEKey}}key "flash" {
  algorithm = "{{.FEAlgorithm}}"
  file      = "{{.FEKey}}"
}
{{end}}{{range .SBKeys}}key "{{.}}" {
  algorithm = "ecdsa-p256"
  file      = "{{.}}.pem"
}
{{end}}{{if or .FEKey .SBKeys}}security {
{{if .FEKey}}  flash_encryption {
    key  = key.flash
    mode = "development"
  }
{{end}}{{if .SBKeys}}  secure_boot {
    version = 2
    keys    = [{{range $i, $k := .SBKeys}}{{if $i}}, {{end}}key.{{$k}}{{end}}]
  }
{{end}}}
{{end}}image "bootloader" { file = "bootloader.bin" }
image "app" { file = "app-{{.Secure}}-{{.CodeSize}}.bin" }
bootloader { image = image.bootloader }
partition_table { offset = {{.Table}} }
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  offset   = {{.NVSOffset}}
  size     = "{{.NVSSize}}"
  contents = nvs.cfg
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  offset  = {{.OtadataOffset}}
  size    = "8K"
}
partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  offset   = 0x20000
  size     = "1M"
  contents = image.app
}
partition "ota_1" {
  type    = "app"
  subtype = "ota_1"
  size    = "{{.Ota1Size}}"
}
{{if .Extra}}partition "extra" {
  type     = "data"
  subtype  = "{{.Extra}}"
  size     = "64K"
  readonly = {{.ExtraReadonly}}
}
{{end}}nvs "cfg" {
  namespace "cfg" {
    entry "level" {
      type  = "u8"
      value = 3
    }
{{if .NVSEntry}}    entry "{{.NVSEntry}}" {
      type  = "string"
      value = "hello"
    }
{{end}}  }
}
{{if not .NoOTA}}ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1]
}
{{end}}output { name = "crafted" }
`))

// load writes the release's manifest and inputs under dir of fs and loads it.
func (r release) load(t *testing.T, fs afero.Fs, dir string) *Release {
	t.Helper()
	var src bytes.Buffer
	if err := manifestTmpl.Execute(&src, r); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := afero.WriteFile(fs, dir+"/"+name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("espcompose.hcl", src.Bytes())
	boot, err := testimage.BootloaderWith(testimage.AppSpec{Chip: r.Chip, FlashSize: "4MB", FlashFreq: "80m"})
	if err != nil {
		t.Fatal(err)
	}
	write("bootloader.bin", boot)
	app, err := testimage.App(testimage.AppSpec{Chip: r.Chip, Project: "crafted", Version: "1.0", SecureVersion: r.Secure,
		CodeSize: r.CodeSize, FlashSize: "4MB", FlashFreq: "80m"})
	if err != nil {
		t.Fatal(err)
	}
	write(fmt.Sprintf("app-%d-%d.bin", r.Secure, r.CodeSize), app)
	if r.FEKey != "" {
		n := 32
		if r.FEAlgorithm == "xts-aes-256" {
			n = 64
		}
		write(r.FEKey, derive(r.FEKey, n))
	}
	for _, k := range r.SBKeys {
		write(k+".pem", ecKey(t, k))
	}
	var diags strings.Builder
	rel, err := Load(context.Background(), compose.Options{FS: fs, OnDiagnostics: func(_ map[string]*hcl.File, d hcl.Diagnostics) {
		diags.WriteString(d.Error())
	}}, dir+"/espcompose.hcl")
	if err != nil {
		t.Fatalf("load %s: %v\n%s\n%s", dir, err, diags.String(), src.String())
	}
	return rel
}

// derive is deterministic key material for a test key named name.
func derive(name string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		s := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", name, i)))
		out = append(out, s[:]...)
	}
	return out[:n]
}

// ecKeys holds one P-256 signing key per name for the whole test run: crypto/ecdsa
// no longer derives keys from a caller's reader, so a name must be remembered.
var (
	ecKeysMu sync.Mutex
	ecKeys   = map[string][]byte{}
)

// ecKey is the P-256 signing key of name, in PEM.
func ecKey(t *testing.T, name string) []byte {
	t.Helper()
	ecKeysMu.Lock()
	defer ecKeysMu.Unlock()
	if k, ok := ecKeys[name]; ok {
		return k
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	ecKeys[name] = pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	return ecKeys[name]
}

// compare loads a and b from one in-memory file system and compares them.
func compare(t *testing.T, a, b release) []Change {
	t.Helper()
	fs := afero.NewMemMapFs()
	return Compare(a.load(t, fs, "/a"), b.load(t, fs, "/b"))
}

// find returns the change of this kind and subject, failing the test without it.
func find(t *testing.T, changes []Change, kind, subject string) Change {
	t.Helper()
	for _, c := range changes {
		if c.Kind == kind && c.Subject == subject {
			return c
		}
	}
	t.Fatalf("no %s change of %s among:\n%s", kind, subject, listChanges(changes))
	return Change{}
}

func listChanges(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		fmt.Fprintf(&b, "  %s %s %s: %q -> %q\n", c.Severity, c.Kind, c.Subject, c.Before, c.After)
	}
	return b.String()
}

func TestCraftedSameIsEqual(t *testing.T) {
	r := base()
	r.FEKey, r.FEAlgorithm, r.SBKeys = "fe.bin", "xts-aes-128", []string{"sb0", "sb1"}
	if ch := compare(t, r, r); len(ch) != 0 {
		t.Fatalf("a release differs from itself:\n%s", listChanges(ch))
	}
}

func TestBreakingTableMoved(t *testing.T) {
	b := base()
	b.Table = "0x6000"
	a := base()
	a.Table = "0x8000"
	c := find(t, compare(t, a, b), "table.moved", PrimaryTable)
	if c.Severity != Breaking || c.Before != "0x8000" || c.After != "0x6000" {
		t.Errorf("%+v", c)
	}
}

func TestBreakingOtadataMoved(t *testing.T) {
	b := base()
	b.OtadataOffset = "0x11000"
	c := find(t, compare(t, base(), b), "partition.moved", "otadata")
	if c.Severity != Breaking || c.Before != "0xf000" || c.After != "0x11000" {
		t.Errorf("%+v", c)
	}
}

func TestBreakingNVSShrunkAndMoved(t *testing.T) {
	b := base()
	b.NVSSize = "16K"
	c := find(t, compare(t, base(), b), "partition.resized", "nvs")
	if c.Severity != Breaking || c.Before != "0x6000" || c.After != "0x4000" {
		t.Errorf("shrunk: %+v", c)
	}
	// Growing NVS loses nothing: a warning (the table still changes).
	if c := find(t, compare(t, b, base()), "partition.resized", "nvs"); c.Severity != Warning {
		t.Errorf("grown: %+v", c)
	}
	a, m := base(), base()
	a.NVSSize = "20K"
	m.NVSOffset, m.NVSSize = "0xa000", "20K"
	ch := compare(t, a, m)
	if c := find(t, ch, "partition.moved", "nvs"); c.Severity != Breaking || c.Before != "0x9000" || c.After != "0xa000" {
		t.Errorf("moved: %+v", c)
	}
}

func TestBreakingFlashEncryptionKeyAndScheme(t *testing.T) {
	a := base()
	a.FEKey, a.FEAlgorithm = "fe1.bin", "xts-aes-128"
	b := a
	b.FEKey = "fe2.bin"
	ch := compare(t, a, b)
	c := find(t, ch, "flash_encryption.key", "flash encryption")
	if c.Severity != Breaking || !strings.HasPrefix(c.Before, "fingerprint ") || c.Before == c.After {
		t.Errorf("key: %+v", c)
	}
	for _, ch := range ch {
		for _, s := range []string{ch.Before, ch.After} {
			if strings.Contains(s, fmt.Sprintf("%x", derive("fe1.bin", 32))[:16]) || strings.Contains(s, fmt.Sprintf("%x", derive("fe2.bin", 32))[:16]) {
				t.Errorf("key bytes in %+v", ch)
			}
		}
	}
	// The ESP32-S3 has both XTS-AES-128 and XTS-AES-256.
	s3, s3b := a, a
	s3.Chip, s3b.Chip = "esp32s3", "esp32s3"
	s3b.FEKey, s3b.FEAlgorithm = "fe3.bin", "xts-aes-256"
	c = find(t, compare(t, s3, s3b), "flash_encryption.scheme", "flash encryption")
	if c.Severity != Breaking || c.Before != "xts-aes-128 XTS_AES_128_KEY" || c.After != "xts-aes-256 XTS_AES_256_KEY" {
		t.Errorf("scheme: %+v", c)
	}
	if c := find(t, compare(t, base(), a), "flash_encryption.enabled", "flash encryption"); c.Severity != Breaking {
		t.Errorf("enabled: %+v", c)
	}
}

func TestBreakingSecureBootDigest(t *testing.T) {
	a := base()
	a.SBKeys = []string{"sb0", "sb1"}
	removed := a
	removed.SBKeys = []string{"sb0"}
	c := find(t, compare(t, a, removed), "secure_boot.digest_removed", "secure boot digest slot 1")
	if c.Severity != Breaking || len(c.Before) != 64 || c.After != "" {
		t.Errorf("removed: %+v", c)
	}
	reused := a
	reused.SBKeys = []string{"sb0", "sb2"}
	ch := compare(t, a, reused)
	c = find(t, ch, "secure_boot.slot_reused", "secure boot digest slot 1")
	if c.Severity != Breaking || len(c.Before) != 64 || len(c.After) != 64 || c.Before == c.After {
		t.Errorf("reused: %+v", c)
	}
	for _, x := range ch {
		if x.Subject == "secure boot digest slot 0" {
			t.Errorf("slot 0 kept its key but changed: %+v", x)
		}
	}
	added := a
	added.SBKeys = []string{"sb0", "sb1", "sb2"}
	if c := find(t, compare(t, a, added), "secure_boot.digest_added", "secure boot digest slot 2"); c.Severity != Info {
		t.Errorf("added: %+v", c)
	}
}

func TestBreakingSecureVersionDecreased(t *testing.T) {
	a, b := base(), base()
	a.Secure, b.Secure = 3, 2
	c := find(t, compare(t, a, b), "app.secure_version", "ota_0")
	if c.Severity != Breaking || c.Before != "3" || c.After != "2" {
		t.Errorf("%+v", c)
	}
	if c := find(t, compare(t, b, a), "app.secure_version", "ota_0"); c.Severity != Info {
		t.Errorf("increased: %+v", c)
	}
}

func TestBreakingAppTooLargeForSmallestSlot(t *testing.T) {
	a := base()
	a.NoOTA = true
	b := a
	b.Ota1Size, b.CodeSize = "64K", 0x14000 // the app is > 64 KiB: it fits ota_0 only
	ch := compare(t, a, b)
	c := find(t, ch, "app.too_large", "ota_0")
	if c.Severity != Breaking || !strings.HasSuffix(c.After, "bytes > ota_1 (0x10000 bytes)") {
		t.Errorf("%+v", c)
	}
	// The same problem on both sides is no change.
	for _, x := range compare(t, b, b) {
		t.Errorf("unchanged release reports %+v", x)
	}
}

// TestCompareDeterministic: two loads of two releases give the same list, in the
// same order.
func TestCompareDeterministic(t *testing.T) {
	a := base()
	a.FEKey, a.FEAlgorithm, a.SBKeys = "fe1.bin", "xts-aes-128", []string{"sb0", "sb1"}
	b := a
	b.FEKey, b.SBKeys, b.Secure, b.NVSSize = "fe2.bin", []string{"sb2"}, 0, "16K"
	first := listChanges(compare(t, a, b))
	for i := 0; i < 3; i++ {
		if again := listChanges(compare(t, a, b)); again != first {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, again, first)
		}
	}
}
