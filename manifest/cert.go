package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Cert is a cert block: an X.509 device certificate issued at build time from a CA
// key and certificate, for the device being built.
type Cert struct {
	Name      string
	CAKey     Ref
	CACert    string // resolved path
	Algorithm string // device key: ecdsa-p256 (default), rsa-2048, rsa-3072
	KeyFile   string // per-device private key file, or
	Derive    *Ref   // the key block holding the master secret keys are derived from

	CommonName, Organization, OrganizationalUnit, Country, SerialNumber string
	DNSNames, URIs, IPAddresses, Emails                                 []string

	NotBefore  *time.Time // nil: SOURCE_DATE_EPOCH
	Validity   time.Duration
	ServerAuth bool

	Range                                   hcl.Range
	CAKeyRange, CACertRange, KeyRange       hcl.Range
	NotBeforeRange, ValidityRange, AlgRange hcl.Range
}

// CertAlgorithms are the device key algorithms a cert block issues for.
var CertAlgorithms = []string{"ecdsa-p256", "rsa-2048", "rsa-3072"}

// certItems are what an NVS entry can take from a cert block.
var certItems = []string{"certificate", "ca_certificate", "private_key"}

// maxNotAfter is the last instant X.509 can encode (GeneralizedTime 9999-12-31, RFC 5280
// 4.1.2.5).
var maxNotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

func (d *decoder) cert(b *Block) (*Cert, cty.Value) {
	c := &Cert{Name: b.Name, Range: b.DeclRange, Algorithm: "ecdsa-p256"}
	if a := b.Attr("ca_key"); a != nil {
		c.CAKeyRange = a.Expr.Range()
		c.CAKey, _ = d.ref(a, "key")
	}
	if a := b.Attr("ca_cert"); a != nil {
		c.CACertRange = a.Expr.Range()
		c.CACert, _ = d.path(a)
	}
	if a := b.Attr("algorithm"); a != nil {
		c.AlgRange = a.Expr.Range()
		if alg, ok := d.str(a); ok {
			if !contains(CertAlgorithms, alg) {
				d.errorf(a.Expr.Range(), "Unknown certificate key algorithm",
					"%q is not a device key algorithm%s. Known: %s.", alg, suggest(alg, CertAlgorithms), strings.Join(CertAlgorithms, ", "))
			}
			c.Algorithm = alg
		}
	}
	kf, dv := b.Attr("key_file"), b.Attr("derive_from")
	switch {
	case kf != nil && dv != nil:
		d.errorf(dv.Expr.Range(), "Conflicting device key sources", "cert %q sets key_file and derive_from; give one.", c.Name)
	case kf == nil && dv == nil:
		d.errorf(b.DeclRange, "Device key has no source",
			"cert %q needs key_file = \"...\" (one key file per device, e.g. \"keys/${device.serial}.pem\") or derive_from = key.<master> (derived with HKDF from a master secret and the device id).", c.Name)
	case kf != nil:
		c.KeyRange = kf.Expr.Range()
		c.KeyFile, _ = d.path(kf)
	default:
		c.KeyRange = dv.Expr.Range()
		if r, ok := d.ref(dv, "key"); ok {
			c.Derive = &r
		}
		if c.Algorithm != "ecdsa-p256" {
			d.errorf(dv.Expr.Range(), "Derived keys are ECDSA P-256 only",
				"cert %q derives its device keys, which works for algorithm = \"ecdsa-p256\" only: there is no standard way to derive RSA primes from HKDF output. Use key_file for %s keys.", c.Name, c.Algorithm)
		}
	}
	str := func(name string, dst *string) {
		if a := b.Attr(name); a != nil {
			*dst, _ = d.str(a)
		}
	}
	str("common_name", &c.CommonName)
	str("organization", &c.Organization)
	str("organizational_unit", &c.OrganizationalUnit)
	str("country", &c.Country)
	str("serial_number", &c.SerialNumber)
	list := func(name string, dst *[]string) {
		if a := b.Attr(name); a != nil {
			*dst, _ = d.stringList(a)
		}
	}
	list("dns_names", &c.DNSNames)
	list("uris", &c.URIs)
	list("ip_addresses", &c.IPAddresses)
	list("emails", &c.Emails)
	if a := b.Attr("server_auth"); a != nil {
		c.ServerAuth, _ = d.boolean(a)
	}
	if a := b.Attr("not_before"); a != nil {
		c.NotBeforeRange = a.Expr.Range()
		if s, ok := d.str(a); ok {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				d.errorf(a.Expr.Range(), "Invalid not_before", "%q is not an RFC 3339 time such as \"2026-01-01T00:00:00Z\".", s)
			} else if t.Year() < 1950 || t.After(maxNotAfter) {
				d.errorf(a.Expr.Range(), "not_before out of range", "%s is outside the years 1950..9999 an X.509 certificate can carry.", s)
			} else {
				t = t.UTC()
				c.NotBefore = &t
			}
		}
	}
	if a := b.Attr("validity"); a != nil {
		c.ValidityRange = a.Expr.Range()
		if s, ok := d.str(a); ok {
			v, err := parseValidity(s)
			if err != nil {
				d.errorf(a.Expr.Range(), "Invalid validity", "%q: %v.", s, err)
			} else {
				c.Validity = v
				if c.NotBefore != nil && c.NotBefore.Add(v).After(maxNotAfter) {
					d.errorf(a.Expr.Range(), "Validity out of range",
						"not_before + validity ends after 9999-12-31, the last date an X.509 certificate can carry.")
				}
			}
		}
	}
	return c, refObject("cert", c.Name, nil)
}

// parseValidity reads "825d", "10y" (365-day years, so the end is predictable) or a Go
// duration ("8760h").
func parseValidity(s string) (time.Duration, error) {
	const day = 24 * time.Hour
	var v time.Duration
	var err error
	switch {
	case strings.HasSuffix(s, "d") || strings.HasSuffix(s, "y"):
		n, perr := strconv.ParseInt(strings.TrimSpace(s[:len(s)-1]), 10, 64)
		if perr != nil {
			return 0, fmt.Errorf("give a whole number of days (\"825d\"), years (\"10y\") or a duration (\"8760h\")")
		}
		unit := day
		if strings.HasSuffix(s, "y") {
			unit = 365 * day
		}
		if n > 200*365 || n < -200*365 {
			return 0, fmt.Errorf("out of range: at most 200 years")
		}
		v = time.Duration(n) * unit
	default:
		v, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("give a whole number of days (\"825d\"), years (\"10y\") or a duration (\"8760h\")")
		}
	}
	if v <= 0 {
		return 0, fmt.Errorf("out of range: the validity must be positive")
	}
	if v > 200*365*day {
		return 0, fmt.Errorf("out of range: at most 200 years")
	}
	return v, nil
}

// nvsCertEntry decodes an NVS entry filled from a cert block.
func (d *decoder) nvsCertEntry(eb *Block, e *NVSEntry) {
	ca := eb.Attr("cert")
	if ca == nil {
		d.errorf(eb.DeclRange, "item without cert", "Entry %q sets item or format, which need cert = cert.<name>.", e.Key)
		return
	}
	for _, other := range []string{"value", "file", "encoding"} {
		if a := eb.Attr(other); a != nil {
			d.errorf(a.Expr.Range(), "Conflicting entry contents", "Entry %q takes its contents from cert; remove %s.", e.Key, other)
		}
	}
	e.ContentRange = ca.Expr.Range()
	if r, ok := d.ref(ca, "cert"); ok {
		e.Cert = &r
	}
	e.Item = "certificate"
	if a := eb.Attr("item"); a != nil {
		if s, ok := d.str(a); ok {
			if !contains(certItems, s) {
				d.errorf(a.Expr.Range(), "Unknown certificate item", "%q is not an item%s. Known: %s.", s, suggest(s, certItems), strings.Join(certItems, ", "))
			}
			e.Item = s
		}
	}
	if e.Type != "string" && e.Type != "blob" {
		d.errorf(eb.Attr("type").Expr.Range(), "Wrong type for a certificate entry", "Entry %q holds a certificate or key; its type is \"string\" (PEM) or \"blob\" (DER or PEM).", e.Key)
	}
	e.Format = "der"
	if e.Type == "string" {
		e.Format = "pem"
	}
	if a := eb.Attr("format"); a != nil {
		if s, ok := d.str(a); ok {
			switch {
			case s != "pem" && s != "der":
				d.errorf(a.Expr.Range(), "Unknown format", "%q is not a format. Known: pem, der.", s)
			case s == "der" && e.Type == "string":
				d.errorf(a.Expr.Range(), "DER in a string entry", "DER is binary; store it in a type = \"blob\" entry, or use format = \"pem\".")
			}
			e.Format = s
		}
	}
}

// CertByName returns the cert block of that name, or nil.
func (c *Config) CertByName(name string) *Cert {
	for _, x := range c.Certs {
		if x.Name == name {
			return x
		}
	}
	return nil
}
