package stages

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/espcompose/espcompose/format/secureboot"
)

// SignerKey makes a signing key's public half an input of the graph, so a new key
// re-signs exactly what it signs. Public keys are not secret; the artifact is the PEM.
type SignerKey struct {
	Name string
	// Algorithm is the key's declared algorithm. A PKCS#11 token's key is seen only
	// when the build opens the token, so this is where a token key of another type or
	// curve is refused instead of silently signing with another scheme.
	Algorithm string
}

func (s *SignerKey) ID() string     { return "signer:" + s.Name }
func (s *SignerKey) Kind() string   { return "signer" }
func (s *SignerKey) Version() int   { return 1 }
func (s *SignerKey) Params() any    { return map[string]string{"key": s.Name} }
func (s *SignerKey) Deps() []string { return nil }
func (s *SignerKey) Uncached()      {}

func (s *SignerKey) Run(_ context.Context, env *Env, _ []Artifact) (Artifact, error) {
	pub, err := s.public(env)
	if err != nil {
		return Artifact{}, err
	}
	if got := signingAlgorithm(pub.Scheme); s.Algorithm != "" && got != s.Algorithm {
		return Artifact{}, fmt.Errorf("key %q: the signer's key is %s, but the manifest declares algorithm %q", s.Name, got, s.Algorithm)
	}
	pem, err := pub.MarshalPEM()
	if err != nil {
		return Artifact{}, fmt.Errorf("key %q: %w", s.Name, err)
	}
	return NewArtifact(pem), nil
}

func (s *SignerKey) public(env *Env) (*secureboot.PublicKey, error) {
	if env.Signers == nil {
		return nil, fmt.Errorf("key %q: no signer is configured", s.Name)
	}
	signer, err := env.Signers.Signer(s.Name)
	if err != nil {
		return nil, err
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", s.Name, err)
	}
	return pub, nil
}

// SignV2 appends a Secure Boot V2 signature sector to an image: the image padded to
// 4 KiB, then one signature block per key (up to three, for revocation). It signs the
// final plaintext: its input has already had every header parameter set (seed 004),
// and its output is only ever encrypted, never patched.
type SignV2 struct {
	Name string // "image.app"
	Dep  string
	Keys []string
	Chip string
}

func (s *SignV2) ID() string   { return "sign:" + s.Name }
func (s *SignV2) Kind() string { return "sign-v2" }
func (s *SignV2) Version() int { return 1 }
func (s *SignV2) Deps() []string {
	deps := []string{s.Dep}
	for _, k := range s.Keys {
		deps = append(deps, "signer:"+k)
	}
	return deps
}
func (s *SignV2) Params() any { return map[string]any{"keys": s.Keys, "chip": s.Chip} }

// DigestRequest is one digest an offline signer must sign.
type DigestRequest struct {
	Stage  string `json:"stage"`
	Image  string `json:"image"`
	Key    string `json:"key"`
	Scheme string `json:"scheme"`
	Digest []byte `json:"-"`
	Hex    string `json:"digest"`
	File   string `json:"signature_file"`
}

// Requests lists the digests this stage needs signed, given its input image.
func (s *SignV2) Requests(env *Env, image []byte) ([]DigestRequest, error) {
	u, err := secureboot.PrepareV2(image, secureboot.PrepareOptions{})
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", s.Name, err)
	}
	var out []DigestRequest
	for _, name := range s.Keys {
		pub, err := (&SignerKey{Name: name}).public(env)
		if err != nil {
			return nil, err
		}
		d := u.Digest(pub.Scheme)
		out = append(out, DigestRequest{Stage: s.ID(), Image: s.Name, Key: name, Scheme: pub.Scheme.String(),
			Digest: d, Hex: fmt.Sprintf("%x", d), File: fmt.Sprintf("%x.sig", d)})
	}
	return out, nil
}

func (s *SignV2) Run(ctx context.Context, env *Env, in []Artifact) (Artifact, error) {
	u, err := secureboot.PrepareV2(in[0].Data, secureboot.PrepareOptions{})
	if err != nil {
		return Artifact{}, fmt.Errorf("sign %s: %w", s.Name, err)
	}
	var blocks []*secureboot.SignatureBlock
	for _, name := range s.Keys {
		signer, err := env.Signers.Signer(name)
		if err != nil {
			return Artifact{}, err
		}
		pub, err := signer.PublicKey()
		if err != nil {
			return Artifact{}, fmt.Errorf("key %q: %w", name, err)
		}
		if err := secureboot.CheckChipScheme(s.Chip, chipRevForV2(s.Chip), pub.Scheme); err != nil {
			return Artifact{}, fmt.Errorf("key %q: %w", name, err)
		}
		digest := u.Digest(pub.Scheme)
		sig, err := signer.SignDigest(ctx, digest)
		if err != nil {
			return Artifact{}, fmt.Errorf("sign %s with key %q: %w", s.Name, name, err)
		}
		// A signature is used only after it verifies, whoever made it.
		blk, err := secureboot.NewSignatureBlock(pub, digest, sig)
		if err != nil {
			return Artifact{}, fmt.Errorf("sign %s: the signature from key %q does not verify: %w", s.Name, name, err)
		}
		blocks = append(blocks, blk)
	}
	out, err := u.Assemble(blocks...)
	if err != nil {
		return Artifact{}, fmt.Errorf("sign %s: %w", s.Name, err)
	}
	return NewArtifact(out), nil
}

// chipRevForV2 is the lowest chip revision that has Secure Boot V2; only the ESP32
// gained it in a later revision (ECO3), and signing for it implies that revision.
func chipRevForV2(chip string) int {
	if chip == "esp32" {
		return 300
	}
	return 0
}

// SignV1 appends a Secure Boot V1 signature (ECDSA P-256 over SHA-256 of the image).
type SignV1 struct {
	Name string
	Dep  string
	Key  string
}

func (s *SignV1) ID() string     { return "sign:" + s.Name }
func (s *SignV1) Kind() string   { return "sign-v1" }
func (s *SignV1) Version() int   { return 1 }
func (s *SignV1) Deps() []string { return []string{s.Dep, "signer:" + s.Key} }
func (s *SignV1) Params() any    { return map[string]string{"key": s.Key} }

// Requests lists the digest this stage needs signed.
func (s *SignV1) Requests(env *Env, image []byte) ([]DigestRequest, error) {
	d := sha256.Sum256(image)
	return []DigestRequest{{Stage: s.ID(), Image: s.Name, Key: s.Key, Scheme: "ecdsa256", Digest: d[:],
		Hex: fmt.Sprintf("%x", d), File: fmt.Sprintf("%x.sig", d)}}, nil
}

func (s *SignV1) Run(ctx context.Context, env *Env, in []Artifact) (Artifact, error) {
	signer, err := env.Signers.Signer(s.Key)
	if err != nil {
		return Artifact{}, err
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return Artifact{}, fmt.Errorf("key %q: %w", s.Key, err)
	}
	d := sha256.Sum256(in[0].Data)
	sig, err := signer.SignDigest(ctx, d[:])
	if err != nil {
		return Artifact{}, fmt.Errorf("sign %s with key %q: %w", s.Name, s.Key, err)
	}
	raw, err := rawECDSA(sig)
	if err != nil {
		return Artifact{}, fmt.Errorf("sign %s with key %q: %w", s.Name, s.Key, err)
	}
	out, err := secureboot.SignV1Precalculated(pub, in[0].Data, raw)
	if err != nil {
		return Artifact{}, fmt.Errorf("sign %s: the signature from key %q does not verify: %w", s.Name, s.Key, err)
	}
	return NewArtifact(out), nil
}

// Requester is implemented by signing stages for two-phase (offline) signing.
type Requester interface {
	Requests(env *Env, image []byte) ([]DigestRequest, error)
}

var errSigFormat = errors.New("signature is neither raw r||s nor DER")

// rawECDSA accepts a P-256 signature as raw r||s or DER and returns raw r||s.
func rawECDSA(sig []byte) ([]byte, error) {
	if len(sig) == 64 {
		return sig, nil
	}
	r, s, err := parseDER(sig)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

// BootloaderDigestV1 makes the Secure Boot V1 reflashable bootloader image: the digest
// sector (IV, digest) followed by the bootloader, written one sector below it. The
// secure boot key is the one ESP-IDF derives from the signing key (digest_private_key,
// 256 bits), and the IV is derived from key and image instead of drawn at random, so
// builds are reproducible.
type BootloaderDigestV1 struct {
	Dep string
	Key string
}

func (s *BootloaderDigestV1) ID() string     { return "digest:bootloader" }
func (s *BootloaderDigestV1) Kind() string   { return "bootloader-digest-v1" }
func (s *BootloaderDigestV1) Version() int   { return 1 }
func (s *BootloaderDigestV1) Deps() []string { return []string{s.Dep, "key:" + s.Key} }
func (s *BootloaderDigestV1) Params() any    { return map[string]string{"key": s.Key} }

func (s *BootloaderDigestV1) Run(_ context.Context, env *Env, in []Artifact) (Artifact, error) {
	sbKey, err := SecureBootV1Key(env, s.Key)
	if err != nil {
		return Artifact{}, err
	}
	defer clear(sbKey)
	out, err := secureboot.DigestSecureBootloader(sbKey, derivedIV(sbKey, in[0].Data), in[0].Data)
	if err != nil {
		return Artifact{}, fmt.Errorf("bootloader digest: %w", err)
	}
	return NewArtifact(out), nil
}

// SecureBootV1Key is the 256-bit bootloader digest key derived from a V1 signing key.
func SecureBootV1Key(env *Env, keyName string) ([]byte, error) {
	material, err := env.Keys.Secret(keyName)
	if err != nil {
		return nil, err
	}
	k, err := secureboot.ParsePrivateKeyPEM(material)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", keyName, err)
	}
	return secureboot.DigestPrivateKeyV1(k, 256)
}

func derivedIV(key, image []byte) []byte {
	iv := make([]byte, 0, 128)
	for i := byte(0); len(iv) < 128; i++ {
		m := hmacSHA256(key, append([]byte("espcompose bootloader digest iv"), i))
		m2 := hmacSHA256(m, image)
		iv = append(iv, m2...)
	}
	return iv[:128]
}
