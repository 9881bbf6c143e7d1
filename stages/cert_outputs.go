package stages

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/securecert"
)

// CertItem is one thing a cert block gives to an NVS entry or a secure-cert
// partition: the device certificate, the CA certificate or the device private key.
type CertItem struct {
	Stage  string // the Cert stage
	Item   string // "certificate", "ca_certificate", "private_key"
	PEM    bool
	CACert []byte    // DER, for ca_certificate
	Key    DeviceKey // for private_key: read or derived now, never an artifact
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// bytes renders the item; cert is the issued certificate (DER).
func (c CertItem) bytes(env *Env, cert []byte) ([]byte, error) {
	switch c.Item {
	case "certificate", "ca_certificate":
		der := cert
		if c.Item == "ca_certificate" {
			der = c.CACert
		}
		if c.PEM {
			return pemOf("CERTIFICATE", der), nil
		}
		return append([]byte(nil), der...), nil
	case "private_key":
		key, err := c.Key.Load(env)
		if err != nil {
			return nil, err
		}
		// The key must be the one the certificate certifies (a key file replaced
		// between stages would otherwise pair a certificate with a stranger's key).
		parsed, err := x509.ParseCertificate(cert)
		if err != nil {
			return nil, err
		}
		if e, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !e.Equal(parsed.PublicKey) {
			return nil, fmt.Errorf("device key does not match its certificate")
		}
		return MarshalDeviceKey(key, c.PEM)
	}
	return nil, fmt.Errorf("unknown certificate item %q", c.Item)
}

// NVSCert fills one placeholder entry of an NVS stage's content.
type NVSCert struct {
	Namespace, Key string
	CertItem
}

// fillCerts returns a copy of content with every certificate entry filled; deps are
// the artifacts of the cert stages, in NVS.Deps order after the key.
func (s *NVS) fillCerts(env *Env, in []Artifact) (*nvs.Partition, error) {
	if len(s.Certs) == 0 {
		return s.Content, nil
	}
	byStage := map[string][]byte{}
	deps := s.Deps()
	for i, d := range deps {
		byStage[d] = in[i].Data
	}
	out := &nvs.Partition{}
	for _, ns := range s.Content.Namespaces {
		out.Namespaces = append(out.Namespaces, nvs.Namespace{Name: ns.Name, Entries: append([]nvs.Entry(nil), ns.Entries...)})
	}
	for _, c := range s.Certs {
		b, err := c.bytes(env, byStage[c.Stage])
		if err != nil {
			return nil, fmt.Errorf("nvs %s entry %s/%s: %w", s.Name, c.Namespace, c.Key, err)
		}
		found := false
		for i := range out.Namespaces {
			if out.Namespaces[i].Name != c.Namespace {
				continue
			}
			for j := range out.Namespaces[i].Entries {
				e := &out.Namespaces[i].Entries[j]
				if e.Key == c.Key {
					if e.Type == nvs.String {
						e.Str = string(b)
					} else {
						e.Blob = b
					}
					found = true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("nvs %s: no entry %s/%s to fill", s.Name, c.Namespace, c.Key)
		}
	}
	return out, nil
}

// SecureCert writes an esp_secure_cert partition (esp_secure_cert_mgr's TLV format,
// see format/securecert) as configure_esp_secure_cert.py does: CA certificate, device
// certificate, private key (each PEM with a NUL), then the integrity entry.
type SecureCert struct {
	Partition string
	Cert      string // the Cert stage
	CACert    []byte
	Key       DeviceKey
	Size      uint32
}

func (s *SecureCert) ID() string     { return "secure-cert:" + s.Partition }
func (s *SecureCert) Kind() string   { return "secure-cert" }
func (s *SecureCert) Version() int   { return 1 }
func (s *SecureCert) Deps() []string { return []string{s.Cert} }
func (s *SecureCert) Params() any {
	return map[string]any{"partition": s.Partition, "size": s.Size, "format": "tlv", "integrity": true}
}

// Uncached: the partition holds the device private key, which the cache never stores.
func (s *SecureCert) Uncached() {}

func (s *SecureCert) Run(_ context.Context, env *Env, in []Artifact) (Artifact, error) {
	var entries []securecert.Entry
	for _, it := range []struct {
		t    securecert.Type
		item string
	}{{securecert.CACert, "ca_certificate"}, {securecert.DevCert, "certificate"}, {securecert.PrivKey, "private_key"}} {
		b, err := CertItem{Item: it.item, PEM: true, CACert: s.CACert, Key: s.Key}.bytes(env, in[0].Data)
		if err != nil {
			return Artifact{}, fmt.Errorf("esp_secure_cert partition %s: %w", s.Partition, err)
		}
		entries = append(entries, securecert.Entry{Type: it.t, Data: securecert.PEMData(b)})
		clear(b)
	}
	out, err := securecert.Encode(entries, true, int(s.Size))
	for _, e := range entries {
		clear(e.Data)
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("esp_secure_cert partition %s: %w", s.Partition, err)
	}
	return NewArtifact(out), nil
}

// Cacheable: an NVS partition holding a device private key is rebuilt each time (the
// key is derived or read on demand), so the cache never holds a device key.
func (s *NVS) Cacheable() bool {
	for _, c := range s.Certs {
		if c.Item == "private_key" {
			return false
		}
	}
	return true
}

// SecretOutput: the esp_secure_cert partition holds the device private key.
func (s *SecureCert) SecretOutput() bool { return true }

// SecretOutput: an NVS partition with a device private key entry holds it in the
// clear unless the partition is NVS-encrypted.
func (s *NVS) SecretOutput() bool { return !s.Cacheable() && s.KeyName == "" }
