package nvs

import (
	"bytes"
	"os"
	"testing"
)

// The golden images in testdata were made by nvs_partition_gen 0.2.0 from
// sample.csv (plain and with --inputkey keys.bin) and hmac_keys.bin by its
// generate-key --key_protect_hmac --kp_hmac_inputkey hmac_key.bin.

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixturePartition(t testing.TB) *Partition {
	t.Helper()
	p, err := ParseCSV(bytes.NewReader(readFixture(t, "sample.csv")), "sample.csv", os.DirFS("testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFixturePlain(t *testing.T) {
	p := fixturePartition(t)
	img, err := Encode(p, Options{Size: 0x6000})
	if err != nil {
		t.Fatal(err)
	}
	if want := readFixture(t, "sample.bin"); !bytes.Equal(img, want) {
		t.Fatalf("differs at %#x", firstDiff(img, want))
	}
	d, err := Decode(img, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := equalPartitions(&d.Partition, p); s != "" {
		t.Fatal(s)
	}
	if got := p.Namespaces[0].Entries[3].Str; got != "two\nlines, one \"quoted\"" {
		t.Fatalf("multi-line quoted string parsed as %q", got)
	}
}

func TestFixtureEncrypted(t *testing.T) {
	k, err := ParseKeyPartition(readFixture(t, "keys.bin"))
	if err != nil {
		t.Fatal(err)
	}
	p := fixturePartition(t)
	img, err := Encode(p, Options{Size: 0x6000, Keys: &k})
	if err != nil {
		t.Fatal(err)
	}
	if want := readFixture(t, "sample_enc.bin"); !bytes.Equal(img, want) {
		t.Fatalf("differs at %#x", firstDiff(img, want))
	}
	d, err := Decode(img, &k)
	if err != nil {
		t.Fatal(err)
	}
	if s := equalPartitions(&d.Partition, p); s != "" {
		t.Fatal(s)
	}
	plain, _ := Decrypt(img, k)
	if !bytes.Equal(plain, readFixture(t, "sample.bin")) {
		t.Fatal("decrypted image differs from the plain one")
	}
	if _, err := Decode(img, nil); err == nil {
		t.Fatal("decoding an encrypted image without keys succeeded")
	}
}

func TestFixtureHMACKeys(t *testing.T) {
	k, err := DeriveHMACKeys(readFixture(t, "hmac_key.bin"))
	if err != nil {
		t.Fatal(err)
	}
	want := readFixture(t, "hmac_keys.bin")
	if got := k.MarshalPartition(); !bytes.Equal(got, want) {
		t.Fatal("key partition differs")
	}
	back, err := ParseKeyPartition(want)
	if err != nil || back != k {
		t.Fatalf("parse: %v", err)
	}
}
