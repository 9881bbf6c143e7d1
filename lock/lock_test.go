package lock

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func sample() *File {
	return &File{
		Manifest: "espcompose.hcl", Chip: "esp32c3", FlashSize: "4MB",
		Bootloader: &Bootloader{Offset: 0, FlashEncrypted: true},
		Tables:     []Table{{Name: "primary", Offset: 0x8000, MD5: true, FlashEncrypted: true}},
		Partitions: []Partition{
			{Name: "nvs", Table: "primary", Offset: 0x9000, Size: 0x6000, Type: "data", Subtype: "nvs"},
			{Name: "ota_0", Table: "primary", Offset: 0x10000, Size: 0x100000, Type: "app", Subtype: "ota_0", Flags: []string{"readonly", "encrypted"}, FlashEncrypted: true},
		},
		Security: Security{FlashEncryption: "release", FlashEncryptionKey: "flash", SecureBoot: "v2", SecureBootKeys: []string{"sb2", "sb1"}},
		Keys: []Key{
			{Name: "sb2", Algorithm: "ecdsa-p256", Role: "secure_boot", Digest: strings.Repeat("ab", 32)},
			{Name: "flash", Algorithm: "xts-aes-128", Role: "flash_encryption", Fingerprint: strings.Repeat("cd", 16)},
			{Name: "sb1", Algorithm: "rsa-3072", Role: "secure_boot", Digest: strings.Repeat("ef", 32)},
		},
	}
}

func TestRoundTripAndDeterminism(t *testing.T) {
	a, b := sample().Marshal(), sample().Marshal()
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of one lock differ")
	}
	if !Owned(a) {
		t.Fatal("a written lock does not carry its header")
	}
	got, err := Parse(a, "espcompose.lock")
	if err != nil {
		t.Fatal(err)
	}
	if ch := Compare(got, sample()); len(ch) != 0 {
		t.Fatalf("a lock read back differs from what was written: %v", ch)
	}
	// Reading and writing again gives the same bytes (keys sorted by name, flags sorted).
	if again := got.Marshal(); !bytes.Equal(again, a) {
		t.Fatalf("rewrite differs:\n%s\n---\n%s", again, a)
	}
	s := string(a)
	for _, want := range []string{`offset          = "0x9000"`, `flags           = ["encrypted", "readonly"]`, `secure_boot_keys     = ["sb2", "sb1"]`} {
		if !strings.Contains(s, want) {
			t.Errorf("lock lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, `key "flash"`) > strings.Index(s, `key "sb1"`) || strings.Index(s, `key "sb1"`) > strings.Index(s, `key "sb2"`) {
		t.Error("keys are not in name order")
	}
}

// lineOf is the 1-based line of the first line of s containing sub.
func lineOf(s, sub string, after int) int {
	lines := strings.Split(s, "\n")
	for i := after; i < len(lines); i++ {
		if strings.Contains(lines[i], sub) {
			return i + 1
		}
	}
	return 0
}

func TestCompareNamesEachChangedItem(t *testing.T) {
	data := sample().Marshal()
	locked, err := Parse(data, "espcompose.lock")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	nvsBlock := lineOf(s, `partition "nvs"`, 0)
	otaBlock := lineOf(s, `partition "ota_0"`, 0)
	sb1Block := lineOf(s, `key "sb1"`, 0)

	now := sample()
	now.Partitions[0].Offset = 0xa000 // moved
	now.Partitions[1].Size = 0x80000  // resized
	now.Keys[2].Digest = strings.Repeat("00", 32)
	now.SetWhere(PartitionItem("nvs")+".offset", "espcompose.hcl:20")
	got := Compare(locked, now)
	var msgs []string
	for _, c := range got {
		msgs = append(msgs, c.Format("espcompose.lock"))
	}
	want := []string{
		"espcompose.lock:" + strconv.Itoa(lineOf(s, "offset", nvsBlock)) + `: partition "nvs" offset locked at 0x9000, manifest now gives 0xa000 (espcompose.hcl:20)`,
		"espcompose.lock:" + strconv.Itoa(lineOf(s, "size", otaBlock)) + `: partition "ota_0" size locked at 0x100000, manifest now gives 0x80000`,
		"espcompose.lock:" + strconv.Itoa(lineOf(s, "digest", sb1Block)) + `: key "sb1" digest locked at ` + strings.Repeat("ef", 32) + ", manifest now gives " + strings.Repeat("00", 32),
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

func TestCompareAddedAndRemoved(t *testing.T) {
	locked, _ := Parse(sample().Marshal(), "x.lock")
	now := sample()
	now.Partitions = append(now.Partitions[1:], Partition{Name: "extra", Table: "primary", Offset: 0x110000, Size: 0x1000, Type: "data", Subtype: "spiffs"})
	now.Keys = now.Keys[:2]
	now.Security.SecureBoot = "off"
	got := Compare(locked, now)
	var all []string
	for _, c := range got {
		all = append(all, c.Format("x.lock"))
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		`partition "nvs" is locked at 0x9000 (size 0x6000), the manifest no longer has it`,
		`x.lock: partition "extra" (offset 0x110000, size 0x1000) is not in the lock`,
		`security secure_boot locked at v2, manifest now gives off`,
		`key "sb1" is locked, the device's security no longer uses it`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing %q in:\n%s", want, joined)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d changes, want 4:\n%s", len(got), joined)
	}
}

func TestParseRefusesForeignAndBrokenFiles(t *testing.T) {
	if _, err := Parse([]byte("lock {}\n"), "a.lock"); !errors.Is(err, ErrNotALock) {
		t.Errorf("a file without the header: %v", err)
	}
	good := string(sample().Marshal())
	for name, tc := range map[string]struct{ edit, want string }{
		"unknown attribute": {strings.Replace(good, `  md5 `, "  colour = \"red\"\n  md5 ", 1), `unknown attribute "colour"`},
		"bad hex":           {strings.Replace(good, `"0x9000"`, `"9000"`, 1), `must be a hex number`},
		"version":           {strings.Replace(good, "version    = 1", "version    = 2", 1), "lock format version 2"},
		"syntax":            {good + "partition {\n", ""},
		"duplicate":         {good + "\nsecurity {\n}\n", "appears twice"},
	} {
		_, err := Parse([]byte(tc.edit), "a.lock")
		if err == nil || !strings.HasPrefix(err.Error(), "a.lock:") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCompareMissingKey(t *testing.T) {
	locked, _ := Parse(sample().Marshal(), "x.lock")
	now := sample()
	now.Keys[1].Fingerprint = "" // flash key file gone (create = true would remake it)
	got := Compare(locked, now)
	if len(got) != 1 || !strings.Contains(got[0].Msg, `key "flash" fingerprint locked at `+strings.Repeat("cd", 16)+", manifest now gives no key (its file does not exist)") {
		t.Fatalf("%+v", got)
	}
}
