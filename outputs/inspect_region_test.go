package outputs

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/testimage"
)

var (
	testKey32 = bytes.Repeat([]byte{0x5a, 0x17, 0xc3, 0x02}, 8)
	otaRec    = rec{"otadata", 1, 0, 0xe000, 0x2000}
)

// encryptAt flash-encrypts region [off, off+n) of img in place, as the device
// would have written it.
func encryptAt(t testing.TB, img []byte, off, n uint32, chip string, key []byte) {
	t.Helper()
	scheme, err := flashenc.SchemeFor(chip, len(key))
	if err != nil {
		t.Fatal(err)
	}
	if n%32 != 0 {
		t.Fatalf("encryptAt: %#x bytes is not whole blocks", n)
	}
	if err := flashenc.Encrypt(img[off:off+n], img[off:off+n], key, off, flashenc.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}
}

// padded pads img with erased flash to a 4 KiB boundary, as a read_flash dump is.
func padded(img []byte) []byte {
	return append(img, bytes.Repeat([]byte{0xFF}, (0x1000-len(img)%0x1000)%0x1000)...)
}

// encryptedC3 is goodImage flash-encrypted as an ESP32-C3 would hold it:
// bootloader, table and app encrypted, NVS left plaintext.
func encryptedC3(t testing.TB) []byte {
	img := padded(newFlash(t, nvsRec, appRec).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).bytes())
	encryptAt(t, img, 0, 0x8000, "esp32c3", testKey32)
	encryptAt(t, img, 0x8000, 0x1000, "esp32c3", testKey32)
	encryptAt(t, img, 0x10000, uint32(len(img))-0x10000, "esp32c3", testKey32)
	return img
}

func stateOf(in *Inspection, name string) RegionState {
	for _, r := range in.Regions {
		if r.Name == name {
			return r
		}
	}
	return RegionState{}
}

func TestInspectDetectsChipOfEncryptedImage(t *testing.T) {
	in, err := Inspect(encryptedC3(t), InspectOptions{FlashKey: testKey32})
	if err != nil {
		t.Fatal(err)
	}
	if in.Chip != "esp32c3" || in.ChipDetected != "decryption" || !in.Encrypted {
		t.Fatalf("chip %q (%s), encrypted %v", in.Chip, in.ChipDetected, in.Encrypted)
	}
	if len(in.Findings) != 0 || in.Bootloader == nil || in.Partitions[1].Image == nil {
		t.Fatalf("findings %+v", in.Findings)
	}
	// A wrong key finds no chip: bad input, not a guess.
	if _, err := Inspect(encryptedC3(t), InspectOptions{FlashKey: bytes.Repeat([]byte{1}, 32)}); !errors.Is(err, ErrChipUnknown) {
		t.Errorf("wrong key: err %v, want ErrChipUnknown", err)
	}
}

func TestInspectDetectsESP32FromEncryptedImage(t *testing.T) {
	boot, err := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32", FlashSize: "4MB"})
	if err != nil {
		t.Fatal(err)
	}
	app, err := testimage.App(testimage.AppSpec{Chip: "esp32", Project: "p", Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	f := &flashImage{t: t, regions: map[uint32][]byte{0x1000: boot, 0x8000: rawTable(appRec), 0x10000: app}}
	img := padded(f.bytes())
	encryptAt(t, img, 0x1000, 0x7000, "esp32", testKey32)
	encryptAt(t, img, 0x8000, 0x1000, "esp32", testKey32)
	encryptAt(t, img, 0x10000, uint32(len(img))-0x10000, "esp32", testKey32)
	in, err := Inspect(img, InspectOptions{FlashKey: testKey32})
	if err != nil {
		t.Fatal(err)
	}
	if in.Chip != "esp32" || in.ChipDetected != "decryption" || len(in.Findings) != 0 {
		t.Fatalf("chip %q (%s), findings %+v", in.Chip, in.ChipDetected, in.Findings)
	}
}

func TestInspectRegionStates(t *testing.T) {
	img := newFlash(t, nvsRec, otaRec, appRec, rec{"ota_1", 0, 0x11, 0x110000, 0x100000}).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).bytes()
	img = append(img, bytes.Repeat([]byte{0xFF}, 0x210000-len(img))...)
	encryptAt(t, img, 0, 0x8000, "esp32c3", testKey32)
	encryptAt(t, img, 0x8000, 0x1000, "esp32c3", testKey32)
	encryptAt(t, img, 0x10000, 0x100000, "esp32c3", testKey32)
	in, err := Inspect(img, InspectOptions{FlashKey: testKey32})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"bootloader": StateCiphertext, "partition-table": StateCiphertext, "nvs": StatePlaintext,
		"otadata": StateErased, "factory": StateCiphertext, "ota_1": StateErased}
	for name, st := range want {
		r := stateOf(in, name)
		if r.State != st || r.Reason == "" {
			t.Errorf("%s: %+v, want %s with a reason", name, r, st)
		}
	}
	if r := stateOf(in, "nvs"); !strings.Contains(r.Reason, "never flash-encrypted") {
		t.Errorf("nvs reason %q", r.Reason)
	}

	// Seed 001: NVS written through flash encryption (idf.py encrypted-flash) reads
	// as ciphertext to the NVS driver, and the state says so.
	encryptAt(t, img, 0x9000, 0x6000, "esp32c3", testKey32)
	in, err = Inspect(img, InspectOptions{FlashKey: testKey32})
	if err != nil {
		t.Fatal(err)
	}
	if r := stateOf(in, "nvs"); r.State != StateCiphertext || !strings.Contains(r.Reason, "flash-encrypted by mistake") {
		t.Errorf("flash-encrypted nvs: %+v", r)
	}

	// Without flash encryption everything written is plaintext.
	plain := goodImage(t)
	in, _ = Inspect(plain, InspectOptions{})
	for _, r := range in.Regions {
		if r.State != StatePlaintext {
			t.Errorf("plain image: %+v", r)
		}
	}
}

func TestInspectRegionEncryptedAppFindsItsSlot(t *testing.T) {
	app := testApp(t)
	// The artifact for ota_1 at 0x110000: encrypted at that address.
	art := bytes.Clone(app)
	art = append(art, bytes.Repeat([]byte{0xFF}, (32-len(art)%32)%32)...)
	buf := make([]byte, 0x110000+len(art))
	copy(buf[0x110000:], art)
	encryptAt(t, buf, 0x110000, uint32(len(art)), "esp32c3", testKey32)
	art = buf[0x110000:]

	in, err := InspectRegion(art, RegionOptions{FlashKey: testKey32})
	if err != nil {
		t.Fatal(err)
	}
	p := in.Partitions[0]
	if in.Chip != "esp32c3" || p.Offset != 0x110000 || p.Image == nil || p.Image.Project != "demo" || p.State != StateCiphertext {
		t.Fatalf("chip %q, partition %+v", in.Chip, p)
	}
	if len(in.Findings) != 0 {
		t.Errorf("findings %+v", in.Findings)
	}
	// The wrong address decrypts to garbage: bad input naming the address.
	a := uint32(0x10000)
	if _, err := InspectRegion(art, RegionOptions{FlashKey: testKey32, Address: &a, Kind: RegionApp}); !errors.Is(err, ErrUnknownRegion) || !strings.Contains(err.Error(), "0x10000") {
		t.Errorf("wrong address: %v", err)
	}
	// Plaintext artifact: read as stored.
	in, err = InspectRegion(app, RegionOptions{})
	if err != nil || in.Partitions[0].State != StatePlaintext || in.Partitions[0].Image == nil {
		t.Fatalf("plain app: %v %+v", err, in)
	}
}

func TestInspectRegionDumps(t *testing.T) {
	in, err := InspectRegion(testNVS(t), RegionOptions{})
	if err != nil || len(in.Partitions[0].NVS) != 1 || in.Partitions[0].NVS[0].Value != "eu868" {
		t.Fatalf("nvs dump: %v %+v", err, in)
	}
	in, err = InspectRegion(rawTable(nvsRec, appRec), RegionOptions{})
	if err != nil || len(in.Partitions) != 3 || in.Partitions[2].Name != "factory" {
		t.Fatalf("table dump: %v %+v", err, in)
	}
	in, err = InspectRegion(bytes.Repeat([]byte{0xFF}, 0x2000), RegionOptions{})
	if err != nil || in.Partitions[0].State != StateErased {
		t.Fatalf("erased dump: %v %+v", err, in)
	}
	if _, err := InspectRegion([]byte("hello, not a region"), RegionOptions{}); !errors.Is(err, ErrUnknownRegion) {
		t.Errorf("text: %v", err)
	}
}

func TestInspectRegionHMACNVS(t *testing.T) {
	hmacKey := bytes.Repeat([]byte{0x42}, nvs.HMACKeySize)
	keys, err := nvs.DeriveHMACKeys(hmacKey)
	if err != nil {
		t.Fatal(err)
	}
	part := &nvs.Partition{Namespaces: []nvs.Namespace{{Name: "wifi", Entries: []nvs.Entry{{Key: "ssid", Type: nvs.String, Str: "lab"}}}}}
	enc, err := nvs.Encode(part, nvs.Options{Size: 0x3000, Keys: &keys})
	if err != nil {
		t.Fatal(err)
	}
	in, err := InspectRegion(enc, RegionOptions{})
	if err != nil || in.Partitions[0].Problem == "" {
		t.Fatalf("without the key the entries must not decode: %v %+v", err, in.Partitions[0])
	}
	in, err = InspectRegion(enc, RegionOptions{NVSKeys: &keys})
	if err != nil || len(in.Partitions[0].NVS) != 1 || in.Partitions[0].NVS[0].Value != "lab" {
		t.Fatalf("with the HMAC-derived keys: %v %+v", err, in.Partitions[0])
	}
	// Another HMAC key derives other keys: the entries do not decode.
	other, _ := nvs.DeriveHMACKeys(bytes.Repeat([]byte{0x43}, nvs.HMACKeySize))
	if in, _ := InspectRegion(enc, RegionOptions{NVSKeys: &other}); len(in.Partitions[0].NVS) != 0 {
		t.Errorf("wrong HMAC key decoded %+v", in.Partitions[0].NVS)
	}
}
