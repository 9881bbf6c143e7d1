package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/espcompose/espcompose/format/securecert"
	"github.com/espcompose/espcompose/stages"
)

// editSecureCert decodes the manufacturing example's esp_secure_cert partition, lets edit change
// one TLV's data and writes the partition back with valid CRCs and integrity digest,
// so only the certificate checks can notice.
func editSecureCert(t *testing.T, in *Input, typ securecert.Type, data []byte) {
	t.Helper()
	name := "partitions/esp_secure_cert.bin"
	old := file(t, in, name)
	entries, err := securecert.Decode(old)
	if err != nil {
		t.Fatal(err)
	}
	var keep []securecert.Entry
	for _, e := range entries {
		if e.Type == securecert.Integrity {
			continue
		}
		if e.Type == typ {
			e.Data = securecert.PEMData(data)
		}
		keep = append(keep, e)
	}
	out, err := securecert.Encode(keep, true, len(old))
	if err != nil {
		t.Fatal(err)
	}
	setFile(t, in, name, out)
}

func foreignCert(t *testing.T) []byte {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "FCT-000001"},
		NotBefore: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestSecureCertForgedCertificate(t *testing.T) {
	in := built(t, "manufacturing")
	editSecureCert(t, &in, securecert.DevCert, foreignCert(t))
	if msg := failures(t, in); !strings.Contains(msg, "region esp_secure_cert (partitions/esp_secure_cert.bin): device certificate is not signed by the CA certificate") {
		t.Errorf("got:\n%s", msg)
	}
}

func TestSecureCertWrongKey(t *testing.T) {
	in := built(t, "manufacturing")
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, err := stages.MarshalDeviceKey(k, true)
	if err != nil {
		t.Fatal(err)
	}
	editSecureCert(t, &in, securecert.PrivKey, b)
	if msg := failures(t, in); !strings.Contains(msg, "private key TLV is not the key the device certificate certifies") {
		t.Errorf("got:\n%s", msg)
	}
}

func TestSecureCertDamagedTLV(t *testing.T) {
	in := built(t, "manufacturing")
	name := "partitions/esp_secure_cert.bin"
	b := file(t, &in, name)
	b[40] ^= 0x20
	setFile(t, &in, name, b)
	if msg := failures(t, in); !strings.Contains(msg, "does not decode as esp_secure_cert TLV: offset 0x0: TLV CRC") {
		t.Errorf("got:\n%s", msg)
	}
}
