package securecert

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
)

func readPEM(t *testing.T, name string) *pem.Block {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", name)
	}
	return blk
}

// TestReferenceVector rebuilds the partition configure_esp_secure_cert.py wrote from
// the same inputs, re-encoding each the way the tool does (certificates as PEM, the EC
// key as SEC1 "traditional OpenSSL" PEM, each with a NUL), and compares every byte.
func TestReferenceVector(t *testing.T) {
	want, err := os.ReadFile("testdata/esp_secure_cert.bin")
	if err != nil {
		t.Fatal(err)
	}
	ca, dev := readPEM(t, "ca.pem"), readPEM(t, "dev.pem")
	kb := readPEM(t, "dev.key")
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(typ string, b []byte) []byte { return PEMData(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b})) }
	got, err := Encode([]Entry{
		{Type: CACert, Data: enc("CERTIFICATE", ca.Bytes)},
		{Type: DevCert, Data: enc("CERTIFICATE", dev.Bytes)},
		{Type: PrivKey, Data: enc("EC PRIVATE KEY", der)},
	}, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encode differs from the tool's vector: %d vs %d bytes", len(got), len(want))
	}
	entries, err := Decode(append(want, bytes.Repeat([]byte{0xFF}, 0x2000-len(want))...))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 || entries[3].Type != Integrity {
		t.Fatalf("decoded %d entries", len(entries))
	}
	e, ok := Find(entries, DevCert, 0)
	if !ok || !bytes.Contains(e.Data, []byte("BEGIN CERTIFICATE")) || e.Data[len(e.Data)-1] != 0 {
		t.Fatalf("device certificate entry: %q", e.Data)
	}
}

func TestDecodeRejectsDamage(t *testing.T) {
	good, err := Encode([]Entry{{Type: DevCert, Data: []byte("abc")}}, true, 0x1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(good); err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{0, 5, 12, 14, 18} {
		bad := append([]byte(nil), good...)
		bad[off] ^= 1
		if _, err := Decode(bad); err == nil {
			t.Errorf("flip at %d: no error", off)
		}
	}
	if _, err := Encode([]Entry{{Type: DevCert, Data: make([]byte, 5000)}}, false, 4096); err == nil {
		t.Error("oversize: no error")
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode([]Entry{{Type: DevCert, Data: []byte("x")}, {Type: PrivKey, Flags: FlagECDSAPeripheral}}, true, 0)
	f.Add(good)
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := Decode(b)
		if err != nil {
			return
		}
		var plain []Entry
		integ := false
		for _, e := range entries {
			if e.Type == Integrity {
				integ = true
				break
			}
			plain = append(plain, e)
		}
		if _, err := Encode(plain, integ, 0); err != nil {
			t.Fatal(err)
		}
	})
}
