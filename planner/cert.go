package planner

import (
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"time"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/securecert"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// caAlgorithms are the key algorithms crypto/x509 can sign certificates with among
// those a key block declares (P-192 is not one).
var caAlgorithms = map[string]bool{"ecdsa-p256": true, "ecdsa-p384": true, "rsa-3072": true}

// certSpec checks a cert block and builds its issuing stage (not yet added). The CA
// certificate is public and read now; the CA key is checked against it when the
// signers are set up (compose) and again when the certificate is signed.
func (p *planner) certSpec(c *manifest.Cert) (*stages.Cert, bool) {
	ok := true
	s := &stages.Cert{
		Name: c.Name, DeviceID: p.cfg.DeviceID, CAKey: c.CAKey.Name,
		CommonName: c.CommonName, Organization: c.Organization, OrganizationalUnit: c.OrganizationalUnit,
		Country: c.Country, SerialNumber: c.SerialNumber,
		DNSNames: c.DNSNames, URIs: c.URIs, IPs: c.IPAddresses, Emails: c.Emails,
		Validity: c.Validity, ServerAuth: c.ServerAuth,
		Key: stages.DeviceKey{Algorithm: c.Algorithm, DeviceID: p.cfg.DeviceID, Label: c.Name},
	}
	if k := p.cfg.Key(c.CAKey.Name); k != nil {
		if !caAlgorithms[k.Algorithm] {
			p.errorf(c.CAKeyRange, "Key cannot sign certificates",
				"key.%s has algorithm %q; a CA key is ecdsa-p256, ecdsa-p384 or rsa-3072.", k.Name, k.Algorithm)
			ok = false
		}
		s.CAKeyLocal = k.File != ""
	}
	der, err := afero.ReadFile(p.opts.FS, c.CACert)
	if err != nil {
		p.errorf(c.CACertRange, "Cannot read the CA certificate", "cert %q: %s: %v.", c.Name, p.rel(c.CACert), unwrap(err))
		return nil, false
	}
	if blk, _ := pem.Decode(der); blk != nil {
		der = blk.Bytes
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		p.errorf(c.CACertRange, "Invalid CA certificate", "cert %q: %s is not a PEM or DER X.509 certificate: %v.", c.Name, p.rel(c.CACert), err)
		return nil, false
	}
	if !ca.IsCA || !ca.BasicConstraintsValid {
		p.errorf(c.CACertRange, "Not a CA certificate", "cert %q: %s is not a CA certificate (basicConstraints CA:TRUE), so devices would not accept what it signs.", c.Name, p.rel(c.CACert))
		ok = false
	}
	s.CACert = der
	switch {
	case c.NotBefore != nil:
		s.NotBefore = *c.NotBefore
	case p.opts.SourceDateEpoch != nil:
		s.NotBefore = time.Unix(*p.opts.SourceDateEpoch, 0).UTC()
	default:
		p.errorf(c.Range, "No certificate start date",
			"cert %q needs not_before = \"2026-01-01T00:00:00Z\", or SOURCE_DATE_EPOCH set, so that a rebuild issues the same certificate.", c.Name)
		return nil, false
	}
	if end := s.NotBefore.Add(c.Validity); s.NotBefore.Year() < 1950 || end.Year() > 9999 {
		p.errorf(c.ValidityRange, "Validity out of range",
			"cert %q would run from %s to %s; X.509 dates must lie in the years 1950..9999.", c.Name, s.NotBefore.Format(time.RFC3339), end.Format(time.RFC3339))
		ok = false
	}
	if end := s.NotBefore.Add(c.Validity); end.After(ca.NotAfter) {
		p.warnf(c.ValidityRange, "Certificate outlives its CA",
			"cert %q ends %s, after the CA certificate (%s), so verifiers will reject it from then on.", c.Name, end.Format(time.RFC3339), ca.NotAfter.Format(time.RFC3339))
	}
	if c.Derive != nil {
		k := p.cfg.Key(c.Derive.Name)
		if k != nil && (k.Algorithm != "hmac" || k.File == "") {
			p.errorf(c.KeyRange, "Wrong master secret",
				"key.%s has algorithm %q; derive_from takes a local key of algorithm \"hmac\" (32 secret bytes).", k.Name, k.Algorithm)
			ok = false
		}
		s.Key.Derive = c.Derive.Name
	} else {
		s.Key.File = c.KeyFile
		s.Key.Rel = p.rel(c.KeyFile)
		if filepath.IsAbs(s.Key.Rel) {
			s.Key.Rel = filepath.Base(c.KeyFile)
		}
	}
	return s, ok
}

// certStage adds the issuing stage of a cert block and returns it.
func (p *planner) certStage(name string) (*stages.Cert, string) {
	if st, ok := p.g.Node("cert:" + name); ok {
		s := st.(*stages.Cert)
		return s, s.ID()
	}
	c := p.cfg.CertByName(name)
	if c == nil {
		return nil, ""
	}
	s, ok := p.certSpec(c)
	if !ok {
		return nil, ""
	}
	if s.CAKeyLocal {
		p.keyStage(s.CAKey)
	}
	if s.Key.Derive != "" {
		p.keyStage(s.Key.Derive)
	}
	return s, p.add(s)
}

// nvsCertItem plans an NVS entry filled from a cert block.
func (p *planner) nvsCertItem(ns string, e *manifest.NVSEntry) (stages.NVSCert, bool) {
	s, id := p.certStage(e.Cert.Name)
	if s == nil {
		return stages.NVSCert{}, false
	}
	return stages.NVSCert{Namespace: ns, Key: e.Key, CertItem: stages.CertItem{
		Stage: id, Item: e.Item, PEM: e.Format == "pem", CACert: s.CACert, Key: s.Key}}, true
}

// secureCertContents fills an esp_secure_cert partition from a cert block.
func (p *planner) secureCertContents(mp *manifest.Partition, r *Region) string {
	ref := mp.Contents
	if mp.Type != securecert.PartitionType {
		p.errorf(ref.Range, "Certificate in a non-esp_secure_cert partition",
			"Partition %q has type %s; esp_secure_cert_mgr looks for type 0x3F (the line in its partitions.csv reads: esp_secure_cert, 0x3F, , 0xD000, 0x2000, encrypted).", mp.Name, typeString(mp))
		return ""
	}
	s, id := p.certStage(ref.Name)
	if s == nil {
		return ""
	}
	r.Source = "cert." + ref.Name + " (esp_secure_cert TLV)"
	return p.add(&stages.SecureCert{Partition: mp.Name, Cert: id, CACert: s.CACert, Key: s.Key, Size: mp.Size})
}

// unusedCerts checks cert blocks nothing refers to, so their mistakes are still
// reported, and says they are unused.
func (p *planner) unusedCerts() {
	for _, c := range p.cfg.Certs {
		if _, ok := p.g.Node("cert:" + c.Name); ok {
			continue
		}
		if _, ok := p.certSpec(c); ok {
			p.warnf(c.Range, "Unused cert block", "cert %q is not placed in any NVS entry or esp_secure_cert partition.", c.Name)
		}
	}
}
