package doctor

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/testimage"
)

// rec is one table record: name, type, subtype, offset, size, flags.
type rec struct {
	name         string
	typ, sub     uint8
	offset, size uint32
	flags        uint32
}

// table writes records as given (no validation), with an MD5 record, as a
// hand-made image (esp-at's tools, gen_esp32part) would hold them.
func table(recs ...rec) []byte {
	b := bytes.Repeat([]byte{0xFF}, 0xC00)
	for i, r := range recs {
		e := b[i*32 : (i+1)*32]
		e[0], e[1], e[2], e[3] = 0xAA, 0x50, r.typ, r.sub
		binary.LittleEndian.PutUint32(e[4:], r.offset)
		binary.LittleEndian.PutUint32(e[8:], r.size)
		clear(e[12:32])
		copy(e[12:28], r.name)
		binary.LittleEndian.PutUint32(e[28:], r.flags)
	}
	n := len(recs) * 32
	b[n], b[n+1] = 0xEB, 0xEB
	sum := md5.Sum(b[:n])
	copy(b[n+16:n+32], sum[:])
	return b
}

var (
	key32   = bytes.Repeat([]byte{0x3c, 0x91, 0x0e, 0x77}, 8)
	nvsRec  = rec{"nvs", 1, 2, 0x9000, 0x6000, 0}
	otaRec  = rec{"otadata", 1, 0, 0xf000, 0x2000, 0}
	ota0Rec = rec{"ota_0", 0, 0x10, 0x20000, 0x100000, 0}
	ota1Rec = rec{"ota_1", 0, 0x11, 0x120000, 0x100000, 0}
)

// flash lays regions out in an erased image of size bytes (ESP32-C3, bootloader
// at 0 with the given header, table at 0x8000).
type flash struct {
	t    testing.TB
	img  []byte
	boot []byte
}

func newFlash(t testing.TB, size int, bootSize string, recs ...rec) *flash {
	t.Helper()
	boot, err := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32c3", FlashSize: bootSize})
	if err != nil {
		t.Fatal(err)
	}
	f := &flash{t: t, img: bytes.Repeat([]byte{0xFF}, size), boot: boot}
	f.at(0, boot).at(0x8000, table(recs...))
	return f
}

func (f *flash) at(off uint32, b []byte) *flash { copy(f.img[off:], b); return f }

// encrypt flash-encrypts [off, off+n) as an ESP32-C3 with key32 stores it.
func (f *flash) encrypt(off, n uint32) *flash {
	f.t.Helper()
	if err := flashenc.Encrypt(f.img[off:off+n], f.img[off:off+n], key32, off, flashenc.Options{Scheme: flashenc.XTSAES128}); err != nil {
		f.t.Fatal(err)
	}
	return f
}

// encryptDevice encrypts what the device decrypts: bootloader, table, and the
// given partitions.
func (f *flash) encryptDevice(parts ...rec) *flash {
	f.encrypt(0, 0x8000).encrypt(0x8000, 0x1000)
	for _, p := range parts {
		f.encrypt(p.offset, p.size)
	}
	return f
}

func app(t testing.TB, code int) []byte {
	t.Helper()
	b, err := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "demo", Version: "1.0", CodeSize: code})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func nvsImage(t testing.TB) []byte {
	t.Helper()
	b, err := nvs.Encode(&nvs.Partition{Namespaces: []nvs.Namespace{{Name: "at", Entries: []nvs.Entry{{Key: "client_cert", Type: nvs.Blob, Blob: []byte("-----BEGIN CERTIFICATE-----")}}}}},
		nvs.Options{Size: 0x6000})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signingKey(t testing.TB) *secureboot.PrivateKey {
	t.Helper()
	pem, err := os.ReadFile("../examples/secure-production/keys/secure_boot_signing_key.pem")
	if err != nil {
		t.Fatal(err)
	}
	k, err := secureboot.ParsePrivateKeyPEM(pem)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := secureboot.SignV2(b, []*secureboot.PrivateKey{signingKey(t)}, secureboot.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func run(t *testing.T, img []byte, opts ImageOptions) *Report {
	t.Helper()
	r, err := Image("test.bin", img, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+"/"+string(f.Severity))
	}
	return out
}

// want fails unless r has exactly the findings given (id/severity), and the
// first of them says every fragment.
func want(t *testing.T, r *Report, findings []string, fragments ...string) {
	t.Helper()
	if got := ids(r); !slices.Equal(got, findings) {
		t.Fatalf("findings %v, want %v\n%+v", got, findings, r.Findings)
	}
	for _, s := range fragments {
		if !strings.Contains(r.Findings[0].Finding, s) {
			t.Errorf("finding %q lacks %q", r.Findings[0].Finding, s)
		}
	}
	for _, f := range r.Findings {
		if f.Why == "" || f.Fix == "" {
			t.Errorf("%s has no why or fix", f.ID)
		}
	}
}

func good(t testing.TB) *flash {
	return newFlash(t, 0x220000, "4MB", nvsRec, otaRec, ota0Rec, ota1Rec).
		at(0x9000, nvsImage(t)).at(0xf000, mustSelect(t, 0)).at(0x20000, app(t, 0x2000))
}

func mustSelect(t testing.TB, slot int) []byte {
	t.Helper()
	b, err := otadata.Select(slot, 2)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoodImagesHaveNoFindings(t *testing.T) {
	r := run(t, good(t).img, ImageOptions{})
	want(t, r, nil)
	if r.SchemaVersion != SchemaVersion || r.Kind != "image" || r.Chip != "esp32c3" || len(r.Checks) == 0 {
		t.Errorf("report %+v", r)
	}
	enc := good(t).encryptDevice(otaRec, ota0Rec)
	want(t, run(t, enc.img, ImageOptions{FlashKey: key32}), nil)
}

// Seed 000: esp-at's at_customize without its secondary table, and one whose
// table points outside it.
func TestNestedTables(t *testing.T) {
	custom := rec{"at_customize", 0x40, 0, 0x130000, 0x40000, 0}
	f := newFlash(t, 0x180000, "4MB", nvsRec, rec{"factory", 0, 0, 0x20000, 0x100000, 0}, custom).at(0x20000, app(t, 0x2000)).at(0x9000, nvsImage(t))
	want(t, run(t, f.img, ImageOptions{}), []string{"nested-table-missing/error"}, `"at_customize"`, "0x130000", "is erased")

	f.at(0x130000, table(rec{"factory_param", 0x40, 1, 0x131000, 0x1000, 0}, rec{"client_cert", 0x40, 2, 0x2e000, 0x4000, 0}))
	want(t, run(t, f.img, ImageOptions{}), []string{"nested-table-outside-parent/error"}, `"client_cert"`, `"at_customize"`)
}

// Seed 001: NVS written through flash encryption, or flagged encrypted.
func TestNVS(t *testing.T) {
	enc := good(t).encryptDevice(otaRec, ota0Rec).encrypt(0x9000, 0x6000)
	want(t, run(t, enc.img, ImageOptions{FlashKey: key32}), []string{"nvs-flash-encrypted/error"}, `"nvs"`, "decrypted with the flash key")

	flagged := nvsRec
	flagged.flags = 1
	f := good(t).at(0x8000, table(flagged, otaRec, ota0Rec, ota1Rec))
	want(t, run(t, f.img, ImageOptions{}), []string{"nvs-marked-encrypted/error"}, "ESP_ERR_NVS_WRONG_ENCRYPTION")
}

// Seed 002: otadata left erased, or written plaintext, under flash encryption.
func TestOTADataUnderEncryption(t *testing.T) {
	f := good(t).at(0xf000, otadata.Blank()).encryptDevice(ota0Rec)
	want(t, run(t, f.img, ImageOptions{FlashKey: key32}), []string{"otadata-encryption-mismatch/warning"}, "erased", "sequence values A 0x")
	// Seed 002 with nothing to fall back to: no factory app and ota_0 empty.
	f = good(t).at(0xf000, otadata.Blank()).at(0x20000, bytes.Repeat([]byte{0xFF}, 0x10000)).at(0x120000, app(t, 0x2000)).encryptDevice(ota1Rec)
	r := run(t, f.img, ImageOptions{FlashKey: key32})
	if ids(r)[0] != "otadata-encryption-mismatch/error" || !strings.Contains(r.Findings[0].Finding, `falls back to "ota_0"`) {
		t.Errorf("no fallback: %v %v", ids(r), r.Findings)
	}

	f = good(t).at(0xf000, mustSelect(t, 1)).at(0x120000, app(t, 0x2000)).encryptDevice(ota0Rec, ota1Rec)
	want(t, run(t, f.img, ImageOptions{FlashKey: key32}), []string{"otadata-encryption-mismatch/error"}, "plaintext", "selects ota_1")

	// The reverse: encrypted otadata in an image without flash encryption.
	f = good(t).encrypt(0xf000, 0x2000)
	want(t, run(t, f.img, ImageOptions{}), []string{"otadata-encryption-mismatch/error"}, "looks encrypted")
}

func TestOTADataSelectsEmptySlot(t *testing.T) {
	f := good(t).at(0xf000, mustSelect(t, 1))
	want(t, run(t, f.img, ImageOptions{}), []string{"otadata-selects-empty-slot/error"}, `"ota_1"`, "erased")
	f.at(0x120000, []byte{0xE9, 0, 0, 0, 1, 2, 3})
	r := run(t, f.img, ImageOptions{})
	if ids(r)[0] != "otadata-selects-empty-slot/error" || !strings.Contains(r.Findings[0].Finding, "no valid app") {
		t.Errorf("invalid slot: %v", r.Findings)
	}
}

// Seed 004: a signature that does not match, and one that matches the header
// as it was before esptool rewrote the flash size.
func TestSignatures(t *testing.T) {
	signed := sign(t, app(t, 0x2000))
	other := sign(t, app(t, 0x2400))
	end := len(signed) - secureboot.SectorSize
	bad := append(bytes.Clone(signed[:end]), other[len(other)-secureboot.SectorSize:]...)
	f := good(t).at(0x20000, bad)
	// The only app fails, so inspect's read-back also says nothing boots.
	want(t, run(t, f.img, ImageOptions{}), []string{"signature-mismatch/error", "image-read-back/error"}, `app in "ota_0"`, "image digest does not match")

	boot := sign(t, good(t).boot)
	patched, ch, err := appimage.PatchFlashParams(boot, "esp32c3", appimage.FlashParams{Size: "8MB"})
	if err != nil || !ch.SHAUpdated {
		t.Fatalf("patch: %v %+v", err, ch)
	}
	f = good(t).at(0, patched)
	want(t, run(t, f.img, ImageOptions{}), []string{"header-changed-after-signing/error"}, "dio", "4MB", "now says", "8MB")
	want(t, run(t, f.img, ImageOptions{FlashSize: "4MB"}), []string{"header-changed-after-signing/error", "flash-params-differ-from-target/error"})
}

// Seed 003: encrypted, then signed: the signature sector is plaintext over ciphertext.
func TestSignedAfterEncryption(t *testing.T) {
	f := good(t).encryptDevice(otaRec, ota0Rec)
	plain := app(t, 0x2000)
	n := (len(plain) + 0xFFF) &^ 0xFFF
	cipher := f.img[0x20000 : 0x20000+n] // the app, encrypted at its slot, padded with encrypted 0xFF
	f.at(0x20000, sign(t, bytes.Clone(cipher)))
	want(t, run(t, f.img, ImageOptions{FlashKey: key32}), []string{"signed-after-encryption/error"}, "stored as plaintext", "signs the encrypted bytes")
}

func TestFlashParams(t *testing.T) {
	f := newFlash(t, 4<<20, "8MB", nvsRec, otaRec, ota0Rec, ota1Rec).at(0x9000, nvsImage(t)).at(0xf000, mustSelect(t, 0)).at(0x20000, app(t, 0x2000))
	want(t, run(t, f.img, ImageOptions{}), []string{"flash-params-differ-from-target/error"}, "8MB", "4MB", "whole-flash dump")
	f = good(t)
	want(t, run(t, f.img, ImageOptions{FlashSize: "8MB"}), []string{"flash-params-differ-from-target/warning"}, "4MB", "8MB")
	want(t, run(t, f.img, ImageOptions{FlashMode: "qio"}), []string{"flash-params-differ-from-target/warning"}, "dio")
	qio := newFlash(t, 0x220000, "4MB", nvsRec, otaRec, ota0Rec, ota1Rec).at(0x9000, nvsImage(t)).at(0xf000, mustSelect(t, 0)).at(0x20000, app(t, 0x2000))
	boot, _ := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32c3", FlashSize: "4MB", FlashMode: "qio"})
	qio.at(0, boot)
	want(t, run(t, qio.img, ImageOptions{FlashMode: "dio"}), []string{"flash-params-differ-from-target/error"}, "qio")
}

func TestAppExceedsSlot(t *testing.T) {
	small := rec{"ota_0", 0, 0x10, 0x20000, 0x10000, 0}
	f := newFlash(t, 0x220000, "4MB", nvsRec, otaRec, small, ota1Rec).at(0x9000, nvsImage(t)).at(0xf000, mustSelect(t, 1)).
		at(0x20000, app(t, 0x12000)).at(0x120000, app(t, 0x1000))
	want(t, run(t, f.img, ImageOptions{}), []string{"app-exceeds-slot/error"}, `"ota_0"`, "bytes too many")
}

func TestReadBack(t *testing.T) {
	f := good(t)
	f.img[0x20000+0x40] ^= 0xFF // inside the first segment: checksum and hash fail
	r := run(t, f.img, ImageOptions{})
	if len(r.Findings) == 0 || r.Findings[0].ID != ReadBack || !r.Failed() {
		t.Fatalf("findings %v", ids(r))
	}
	if _, err := Image("x", []byte("not an image"), ImageOptions{}); err == nil {
		t.Error("text accepted as an image")
	}
}

// Every check in the catalog is documented with its id in docs/doctor.md.
func TestCatalogDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/doctor.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range Catalog {
		if seen[c.ID] {
			t.Errorf("duplicate id %s", c.ID)
		}
		seen[c.ID] = true
		if !strings.Contains(string(doc), "`"+c.ID+"`") {
			t.Errorf("docs/doctor.md does not list %s", c.ID)
		}
		if c.Why == "" || c.Fix == "" || c.Title == "" || len(c.Inputs) == 0 {
			t.Errorf("%s is incomplete", c.ID)
		}
	}
}
