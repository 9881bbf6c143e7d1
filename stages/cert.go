package stages

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"time"

	"github.com/espcompose/espcompose/format/secureboot"
)

// Cert issues one device's X.509 certificate from a CA key (any signer back-end: a
// local file, a command, PKCS#11) and the CA certificate. Its artifact is the
// certificate in DER, which is public; the device private key is never part of it.
//
// Everything is deterministic: the serial is a hash of the CA certificate, the device
// id, the device public key and the certificate's settings; the validity is fixed by
// the manifest (or SOURCE_DATE_EPOCH); the CA signature comes from the signers, which
// sign deterministically (RFC 6979 ECDSA, a derived RSA-PSS salt) for local keys.
type Cert struct {
	Name       string // cert block name
	DeviceID   string
	CAKey      string // key block name of the CA key
	CAKeyLocal bool   // the CA key is a local file: its fingerprint is an input
	CACert     []byte // DER
	Key        DeviceKey

	CommonName, Organization, OrganizationalUnit, Country, SerialNumber string
	DNSNames, URIs, IPs, Emails                                         []string
	NotBefore                                                           time.Time
	Validity                                                            time.Duration
	ServerAuth                                                          bool
}

func (s *Cert) ID() string   { return "cert:" + s.Name }
func (s *Cert) Kind() string { return "cert" }
func (s *Cert) Version() int { return 1 }
func (s *Cert) Deps() []string {
	var d []string
	if s.CAKeyLocal {
		d = append(d, "key:"+s.CAKey)
	}
	if s.Key.Derive != "" {
		d = append(d, "key:"+s.Key.Derive)
	}
	return d
}

// Cacheable: a derived device key is fully described by the inputs (the master
// secret's fingerprint is a dependency); a per-device key file is not, so that
// certificate is issued afresh each build.
func (s *Cert) Cacheable() bool { return s.Key.Derive != "" }

func (s *Cert) Params() any {
	sum := sha256.Sum256(s.CACert)
	return map[string]any{
		"device": s.DeviceID, "ca_key": s.CAKey, "ca_cert_sha256": hex.EncodeToString(sum[:]),
		"key_algorithm": s.Key.Algorithm, "key_file": s.Key.Rel, "key_derive": s.Key.Derive,
		"subject": []string{s.CommonName, s.Organization, s.OrganizationalUnit, s.Country, s.SerialNumber},
		"dns":     s.DNSNames, "uri": s.URIs, "ip": s.IPs, "email": s.Emails,
		"not_before": s.NotBefore.UTC().Format(time.RFC3339), "validity": s.Validity.String(),
		"server_auth": s.ServerAuth,
	}
}

// Template is the certificate to be signed, without serial.
func (s *Cert) template() (*x509.Certificate, error) {
	t := &x509.Certificate{
		Subject:               pkix.Name{CommonName: s.CommonName},
		NotBefore:             s.NotBefore.UTC(),
		NotAfter:              s.NotBefore.Add(s.Validity).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		DNSNames:              s.DNSNames,
		EmailAddresses:        s.Emails,
	}
	if s.ServerAuth {
		t.ExtKeyUsage = append(t.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	set := func(dst *[]string, v string) {
		if v != "" {
			*dst = []string{v}
		}
	}
	set(&t.Subject.Organization, s.Organization)
	set(&t.Subject.OrganizationalUnit, s.OrganizationalUnit)
	set(&t.Subject.Country, s.Country)
	t.Subject.SerialNumber = s.SerialNumber
	for _, u := range s.URIs {
		pu, err := url.Parse(u)
		if err != nil {
			return nil, fmt.Errorf("uri %q: %w", u, err)
		}
		t.URIs = append(t.URIs, pu)
	}
	for _, ip := range s.IPs {
		a := net.ParseIP(ip)
		if a == nil {
			return nil, fmt.Errorf("%q is not an IP address", ip)
		}
		t.IPAddresses = append(t.IPAddresses, a)
	}
	return t, nil
}

// Serial derives the certificate serial: SHA-256 over the CA certificate, the device
// id and public key and the parameters, cut to 16 octets with the top bit clear
// (positive) and the next bit set (never zero, always 16 octets) — RFC 5280 4.1.2.2
// allows at most 20.
func (s *Cert) Serial(devicePub []byte) *big.Int {
	h := sha256.New()
	h.Write([]byte("espcompose cert serial v1\x00"))
	for _, part := range [][]byte{s.CACert, []byte(s.Name), []byte(s.DeviceID), devicePub,
		[]byte(s.NotBefore.UTC().Format(time.RFC3339)), []byte(s.Validity.String())} {
		var n [8]byte
		big.NewInt(int64(len(part))).FillBytes(n[:])
		h.Write(n[:])
		h.Write(part)
	}
	b := h.Sum(nil)[:16]
	b[0] = b[0]&0x7F | 0x40
	return new(big.Int).SetBytes(b)
}

func (s *Cert) Run(ctx context.Context, env *Env, _ []Artifact) (Artifact, error) {
	ca, err := x509.ParseCertificate(s.CACert)
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: CA certificate: %w", s.Name, err)
	}
	key, err := s.Key.Load(env)
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: %w", s.Name, err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: %w", s.Name, err)
	}
	tmpl, err := s.template()
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: %w", s.Name, err)
	}
	tmpl.SerialNumber = s.Serial(pubDER)
	signer, err := env.Signers.Signer(s.CAKey)
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: CA key: %w", s.Name, err)
	}
	cs, err := NewCASigner(ctx, signer)
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: CA key.%s: %w", s.Name, s.CAKey, err)
	}
	if err := CheckCAKey(ca, cs.Public()); err != nil {
		return Artifact{}, fmt.Errorf("cert %s: %w", s.Name, err)
	}
	if _, ok := cs.Public().(*rsa.PublicKey); ok {
		// The signers sign RSA-PSS (salt = hash length), as Secure Boot V2 does.
		tmpl.SignatureAlgorithm = x509.SHA256WithRSAPSS
	}
	// No randomness: the serial is set and the signer is deterministic; a read from
	// this reader would be a determinism bug, so it fails.
	der, err := x509.CreateCertificate(noRand{}, tmpl, ca, key.Public(), cs)
	if err != nil {
		return Artifact{}, fmt.Errorf("cert %s: issue: %w", s.Name, err)
	}
	return NewArtifact(der), nil
}

type noRand struct{}

func (noRand) Read([]byte) (int, error) {
	return 0, errors.New("certificate issuance must not draw randomness")
}

// CheckCAKey refuses a CA key whose public half is not the CA certificate's.
func CheckCAKey(ca *x509.Certificate, pub crypto.PublicKey) error {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := pub.(equaler); ok && e.Equal(ca.PublicKey) {
		return nil
	}
	return fmt.Errorf("the CA key does not match the CA certificate %q (its public key differs)", ca.Subject.String())
}

// CASigner adapts a stages.Signer (whatever its back-end) to crypto.Signer, so that
// crypto/x509 can sign certificates with it.
type CASigner struct {
	ctx context.Context
	s   Signer
	pub crypto.PublicKey
	ec  int // ECDSA field size in bytes; 0 for RSA
}

// NewCASigner wraps s. P-192 keys are refused: crypto/x509 does not sign with them.
func NewCASigner(ctx context.Context, s Signer) (*CASigner, error) {
	pk, err := s.PublicKey()
	if err != nil {
		return nil, err
	}
	if pk.Scheme != secureboot.SchemeRSA3072 && pk.Scheme != secureboot.SchemeECDSAP256 && pk.Scheme != secureboot.SchemeECDSAP384 {
		return nil, fmt.Errorf("a %v key cannot sign X.509 certificates; use ecdsa-p256, ecdsa-p384 or rsa-3072", pk.Scheme)
	}
	der, err := pk.MarshalPKIX()
	if err != nil {
		return nil, err
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, err
	}
	c := &CASigner{ctx: ctx, s: s, pub: pub}
	if e, ok := pub.(*ecdsa.PublicKey); ok {
		c.ec = (e.Curve.Params().BitSize + 7) / 8
	}
	return c, nil
}

func (c *CASigner) Public() crypto.PublicKey { return c.pub }

// Sign ignores rand: the back-end decides, and local keys sign deterministically.
func (c *CASigner) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	sig, err := c.s.SignDigest(c.ctx, digest)
	if err != nil || c.ec == 0 || len(sig) != 2*c.ec {
		return sig, err
	}
	// A raw r||s signature becomes the DER SEQUENCE X.509 carries.
	return asn1.Marshal(struct{ R, S *big.Int }{
		new(big.Int).SetBytes(sig[:c.ec]), new(big.Int).SetBytes(sig[c.ec:])})
}

var _ crypto.Signer = (*CASigner)(nil)
