package diff

import (
	"strings"
	"testing"
)

// TestNonBreakingLayoutChanges: a partition added after the last one, a changed
// subtype and changed flags are warnings (an OTA update keeps the old table), and NVS
// entries added or removed are info.
func TestNonBreakingLayoutChanges(t *testing.T) {
	a := base()
	added := a
	added.Extra = "spiffs"
	c := find(t, compare(t, a, added), "partition.added", "extra")
	if c.Severity != Warning || c.After != "data/spiffs at 0x220000, 0x10000 bytes" {
		t.Errorf("added: %+v", c)
	}
	retyped := added
	retyped.Extra = "fat"
	c = find(t, compare(t, added, retyped), "partition.retyped", "extra")
	if c.Severity != Warning || c.Before != "data/spiffs" || c.After != "data/fat" {
		t.Errorf("retyped: %+v", c)
	}
	ro := added
	ro.ExtraReadonly = true
	c = find(t, compare(t, added, ro), "partition.flags", "extra")
	if c.Severity != Warning || c.Before != "none" || c.After != "readonly" {
		t.Errorf("flags: %+v", c)
	}
	withKey := a
	withKey.NVSEntry = "greeting"
	ch := compare(t, a, withKey)
	c = find(t, ch, "nvs.added", "nvs:cfg/greeting")
	if c.Severity != Info || c.After != `string "hello"` {
		t.Errorf("nvs added: %+v", c)
	}
	c = find(t, compare(t, withKey, a), "nvs.removed", "nvs:cfg/greeting")
	if c.Severity != Info || c.Before != `string "hello"` {
		t.Errorf("nvs removed: %+v", c)
	}
	for _, x := range ch {
		if x.Severity == Breaking {
			t.Errorf("breaking change for a new NVS key: %+v", x)
		}
	}
}

// TestCompareApps: every field of the app description that changes is reported.
func TestCompareApps(t *testing.T) {
	a := &App{Project: "p", Version: "1", SecureVersion: 4, ELFSHA256: strings.Repeat("0", 64), IDFVersion: "v5.3.1"}
	b := &App{Project: "q", Version: "2", SecureVersion: 4, ELFSHA256: strings.Repeat("1", 64), IDFVersion: "v5.4"}
	var got []string
	for _, c := range compareApps("ota_0", a, b) {
		got = append(got, string(c.Severity)+" "+c.Kind+" "+c.Before+" "+c.After)
	}
	want := []string{
		"warning app.project p q",
		"info app.version 1 2",
		"info app.elf_sha256 " + a.ELFSHA256 + " " + b.ELFSHA256,
		"info app.idf_version v5.3.1 v5.4",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ch := compareApps("ota_0", a, a); len(ch) != 0 {
		t.Errorf("same app: %+v", ch)
	}
}

// TestRemovedPartitions: removing NVS or otadata is breaking, removing another
// partition is a warning.
func TestRemovedPartitions(t *testing.T) {
	a := &Release{Partitions: []Partition{
		{Table: PrimaryTable, Name: "nvs", Type: "data/nvs", Offset: 0x9000, Size: 0x6000},
		{Table: PrimaryTable, Name: "otadata", Type: "data/ota", Offset: 0xf000, Size: 0x2000},
		{Table: PrimaryTable, Name: "spiffs", Type: "data/spiffs", Offset: 0x20000, Size: 0x10000},
	}}
	var got []string
	for _, c := range comparePartitions(a, &Release{}) {
		got = append(got, string(c.Severity)+" "+c.Kind+" "+c.Subject)
	}
	want := "breaking partition.removed nvs,breaking partition.removed otadata,warning partition.removed spiffs"
	if strings.Join(got, ",") != want {
		t.Errorf("%s", strings.Join(got, ","))
	}
}
