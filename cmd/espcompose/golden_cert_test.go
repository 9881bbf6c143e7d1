package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"time"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/securecert"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// certOf returns the manifest's cert block of that name.
func (g *goldenDist) certOf(name string) *manifest.Cert {
	g.t.Helper()
	c := g.cfg.CertByName(name)
	if c == nil {
		g.t.Fatalf("no cert block %q", name)
	}
	return c
}

func pemDER(b []byte) []byte {
	if blk, _ := pem.Decode(bytes.TrimRight(b, "\x00")); blk != nil {
		return blk.Bytes
	}
	return b
}

// checkIssuedCert verifies a device certificate as a TLS peer would: chained to the
// CA certificate the manifest names, at a time inside its validity, for client auth,
// with the subject and SANs the manifest's cert block declares for this device.
func (g *goldenDist) checkIssuedCert(where string, c *manifest.Cert, der []byte) *x509.Certificate {
	g.t.Helper()
	dev, err := x509.ParseCertificate(der)
	if err != nil {
		g.t.Fatalf("%s: %v", where, err)
	}
	ca, err := x509.ParseCertificate(pemDER(g.readInput(c.CACert)))
	if err != nil {
		g.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	at := dev.NotBefore.Add(time.Hour)
	if _, err := dev.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		g.t.Errorf("%s does not verify against %s: %v", where, c.CACert, err)
	}
	if dev.Subject.CommonName != c.CommonName || c.CommonName != g.cfg.DeviceID {
		g.t.Errorf("%s: subject CN %q, the manifest %q, the device %q", where, dev.Subject.CommonName, c.CommonName, g.cfg.DeviceID)
	}
	var uris []string
	for _, u := range dev.URIs {
		uris = append(uris, u.String())
	}
	if !equalStrings(dev.DNSNames, c.DNSNames) || !equalStrings(uris, c.URIs) {
		g.t.Errorf("%s: SANs %v %v, the manifest %v %v", where, dev.DNSNames, uris, c.DNSNames, c.URIs)
	}
	if c.NotBefore != nil && (!dev.NotBefore.Equal(*c.NotBefore) || !dev.NotAfter.Equal(c.NotBefore.Add(c.Validity))) {
		g.t.Errorf("%s: valid %s..%s, the manifest from %s for %s", where, dev.NotBefore, dev.NotAfter, c.NotBefore, c.Validity)
	}
	if n := len(dev.SerialNumber.Bytes()); dev.SerialNumber.Sign() <= 0 || n > 20 {
		g.t.Errorf("%s: serial %x is not a positive number of at most 20 octets", where, dev.SerialNumber)
	}
	return dev
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// deviceKey re-derives (or reads) the device's private key from the example's own
// files, independently of the build.
func (g *goldenDist) deviceKey(c *manifest.Cert) crypto.Signer {
	g.t.Helper()
	if c.Derive == nil {
		g.t.Fatalf("cert %s: only derived keys are checked here", c.Name)
	}
	k, err := stages.DeriveECDSAP256(g.readInput(g.cfg.Key(c.Derive.Name).File), c.Name, g.cfg.DeviceID)
	if err != nil {
		g.t.Fatal(err)
	}
	return k
}

// certEntry is the NVS entry a cert-filled manifest entry must hold, found in the
// decoded partition and accepted only once it checks out against the CA.
func (g *goldenDist) certEntry(d *nvs.Decoded, ns string, e *manifest.NVSEntry) nvs.Entry {
	g.t.Helper()
	c := g.certOf(e.Cert.Name)
	for _, n := range d.Partition.Namespaces {
		for _, got := range n.Entries {
			if n.Name != ns || got.Key != e.Key {
				continue
			}
			raw := got.Blob
			if got.Type == nvs.String {
				raw = []byte(got.Str)
			}
			if (e.Format == "pem") != bytes.HasPrefix(raw, []byte("-----BEGIN ")) {
				g.t.Errorf("%s/%s: not %s", ns, e.Key, e.Format)
			}
			switch e.Item {
			case "certificate":
				g.checkIssuedCert(ns+"/"+e.Key, c, pemDER(raw))
			case "ca_certificate":
				if !bytes.Equal(pemDER(raw), pemDER(g.readInput(c.CACert))) {
					g.t.Errorf("%s/%s is not %s", ns, e.Key, c.CACert)
				}
			default:
				g.t.Fatalf("no check for cert item %s", e.Item)
			}
			return got
		}
	}
	return nvs.Entry{Key: e.Key}
}

// checkSecureCert decodes an esp_secure_cert partition (plain: its bytes decrypted
// when flash encryption covers it): CA certificate, a device
// certificate that verifies against it, and the private key derived anew here.
func (g *goldenDist) checkSecureCert(file, name string, plain []byte) {
	g.t.Helper()
	c := g.certOf(name)
	entries, err := securecert.Decode(plain)
	if err != nil {
		g.t.Fatalf("%s: %v", file, err)
	}
	if len(entries) != 4 || entries[0].Type != securecert.CACert || entries[1].Type != securecert.DevCert ||
		entries[2].Type != securecert.PrivKey || entries[3].Type != securecert.Integrity {
		g.t.Fatalf("%s: %d TLVs, not CA, device cert, key, integrity", file, len(entries))
	}
	if !bytes.Equal(pemDER(entries[0].Data), pemDER(g.readInput(c.CACert))) {
		g.t.Errorf("%s: CA TLV is not %s", file, c.CACert)
	}
	dev := g.checkIssuedCert(file, c, pemDER(entries[1].Data))
	want, err := stages.MarshalDeviceKey(g.deviceKey(c), true)
	if err != nil {
		g.t.Fatal(err)
	}
	if !bytes.Equal(entries[2].Data, securecert.PEMData(want)) {
		g.t.Errorf("%s: the private key TLV is not the key derived from the master secret and %s", file, g.cfg.DeviceID)
	}
	if !g.deviceKey(c).Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(dev.PublicKey) {
		g.t.Errorf("%s: the certificate is not for the derived key", file)
	}
}
