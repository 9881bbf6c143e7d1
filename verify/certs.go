package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/securecert"
	"github.com/espcompose/espcompose/stages"
)

// certFill returns the certificate fill of an NVS entry, if it has one.
func certFill(st *stages.NVS, ns, key string) (stages.NVSCert, bool) {
	for _, c := range st.Certs {
		if c.Namespace == ns && c.Key == key {
			return c, true
		}
	}
	return stages.NVSCert{}, false
}

func derOf(b []byte, isPEM bool, typ string) ([]byte, error) {
	if !isPEM {
		return b, nil
	}
	blk, rest := pem.Decode(bytes.TrimRight(b, "\x00"))
	if blk == nil || blk.Type != typ || len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("is not one PEM %s", typ)
	}
	return blk.Bytes, nil
}

// checkIssued verifies a device certificate against its CA certificate: it must parse
// and carry a valid CA signature.
func checkIssued(devDER, caDER []byte) (*x509.Certificate, error) {
	dev, err := x509.ParseCertificate(devDER)
	if err != nil {
		return nil, fmt.Errorf("is not an X.509 certificate: %v", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	if err := dev.CheckSignatureFrom(ca); err != nil {
		return nil, fmt.Errorf("is not signed by the CA certificate: %v", err)
	}
	return dev, nil
}

// certEntryDiff checks an NVS entry filled from a cert block; "" when it is right.
// Its bytes are never shown.
func (c *checker) certEntryDiff(e nvs.Entry, f stages.NVSCert) string {
	raw := e.Blob
	if e.Type == nvs.String {
		raw = []byte(e.Str)
	}
	switch f.Item {
	case "certificate":
		der, err := derOf(raw, f.PEM, "CERTIFICATE")
		if err != nil {
			return err.Error()
		}
		if _, err := checkIssued(der, f.CACert); err != nil {
			return "certificate " + err.Error()
		}
	case "ca_certificate":
		der, err := derOf(raw, f.PEM, "CERTIFICATE")
		if err != nil {
			return err.Error()
		}
		if !bytes.Equal(der, f.CACert) {
			return "is not the CA certificate"
		}
	case "private_key":
		if f.CertItem.Key.File != "" && c.env.FS == nil {
			return "no file system to read the device key file from"
		}
		key, err := f.CertItem.Key.Load(c.env)
		if err != nil {
			return "cannot load the device key to compare: " + err.Error()
		}
		want, err := stages.MarshalDeviceKey(key, f.PEM)
		if err != nil {
			return err.Error()
		}
		if !bytes.Equal(raw, want) {
			return "is not the device's private key"
		}
	}
	return ""
}

// secureCert checks an esp_secure_cert partition: the TLVs decode (CRCs, integrity
// digest), the CA entry is the CA certificate, the device certificate is signed by it,
// and the private key is the one the certificate certifies.
func (c *checker) secureCert(subject string, plain []byte, stageID string) {
	st, ok := c.stage(stageID).(*stages.SecureCert)
	if !ok {
		return
	}
	entries, err := securecert.Decode(plain)
	if err != nil {
		c.fail("secure-cert", subject, "does not decode as esp_secure_cert TLV: %v", err)
		return
	}
	get := func(t securecert.Type, typ string) ([]byte, bool) {
		e, ok := securecert.Find(entries, t, 0)
		if !ok {
			c.fail("secure-cert", subject, "has no TLV of type %d", t)
			return nil, false
		}
		der, err := derOf(e.Data, true, typ)
		if err != nil {
			c.fail("secure-cert", subject, "TLV type %d %v", t, err)
			return nil, false
		}
		return der, true
	}
	caDER, ok1 := get(securecert.CACert, "CERTIFICATE")
	devDER, ok2 := get(securecert.DevCert, "CERTIFICATE")
	keyDER, ok3 := get(securecert.PrivKey, "EC PRIVATE KEY")
	if !ok1 || !ok2 {
		return
	}
	if !bytes.Equal(caDER, st.CACert) {
		c.fail("secure-cert", subject, "CA certificate TLV is not the manifest's CA certificate")
		return
	}
	dev, err := checkIssued(devDER, caDER)
	if err != nil {
		c.fail("secure-cert", subject, "device certificate %v", err)
		return
	}
	if ok3 {
		key, err := x509.ParseECPrivateKey(keyDER)
		if err != nil || !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(dev.PublicKey) {
			c.fail("secure-cert", subject, "private key TLV is not the key the device certificate certifies")
			return
		}
	} else if st.Key.Algorithm == "ecdsa-p256" {
		return
	}
	c.pass("secure-cert", subject, "decodes to the CA certificate, a device certificate it signed (%s) and the matching private key", dev.Subject.CommonName)
}
