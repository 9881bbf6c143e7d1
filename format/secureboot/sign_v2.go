package secureboot

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"io"
	"math/big"
)

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// digestLen is the image-digest length of scheme: SHA-384 for P-384, else SHA-256.
func digestLen(s Scheme) int {
	if s == SchemeECDSAP384 {
		return sha512.Size384
	}
	return sha256.Size
}

func hashFor(s Scheme) crypto.Hash {
	if s == SchemeECDSAP384 {
		return crypto.SHA384
	}
	return crypto.SHA256
}

// Unsigned is an image prepared for Secure Boot V2 signing: the content the signatures
// cover and the signature blocks kept from an existing signature sector.
type Unsigned struct {
	// Content is the image padded with 0xFF to a sector multiple, without any kept
	// signature sector. Signatures cover exactly these bytes.
	Content []byte
	kept    [][]byte
}

// Kept returns how many existing signature blocks will be carried over.
func (u *Unsigned) Kept() int { return len(u.kept) }

// Free returns how many signature blocks can still be added.
func (u *Unsigned) Free() int { return MaxBlocks - len(u.kept) }

// PrepareOptions selects how PrepareV2 treats its input, mirroring espsecure's flags.
type PrepareOptions struct {
	// Append keeps the valid blocks of the image's existing signature sector (the image
	// then ends with that sector). Without valid blocks the whole image is signed afresh.
	// Ignored for an unaligned image, which cannot carry a signature sector.
	Append bool
	// RequireAligned refuses an image that is not a sector multiple instead of padding
	// it; espsecure does so for pre-calculated signatures, which were made over the
	// unpadded file.
	RequireAligned bool
}

// PrepareV2 returns the content to sign for image, exactly as `espsecure.py sign_data
// --version 2` derives it.
func PrepareV2(image []byte, opts PrepareOptions) (*Unsigned, error) {
	content := bytes.Clone(image)
	u := &Unsigned{}
	if rem := len(content) % SectorSize; rem != 0 {
		if opts.RequireAligned {
			return nil, fmt.Errorf("%w: Secure Boot V2 requires the signature block to start from a 4KB aligned sector but the datafile supplied is not sector aligned (%d bytes)", ErrNotAligned, len(image))
		}
		content = append(content, bytes.Repeat([]byte{0xFF}, SectorSize-rem)...)
	} else if opts.Append && len(content) >= SectorSize {
		sector := content[len(content)-SectorSize:]
		for i := range MaxBlocks {
			blk := sector[i*BlockSize : (i+1)*BlockSize]
			if !blockHeaderValid(blk) {
				break
			}
			u.kept = append(u.kept, bytes.Clone(blk))
		}
		if len(u.kept) == MaxBlocks {
			return nil, fmt.Errorf("%w: Upto %d signature blocks are supported. (For ESP32-ECO3 only 1 signature block is supported)", ErrTooManyBlocks, MaxBlocks)
		}
		if len(u.kept) > 0 {
			content = content[:len(content)-SectorSize]
		}
	}
	u.Content = content
	return u, nil
}

// Digest returns the digest an external signer (HSM, remote service) must sign for
// scheme: SHA-256 of Content, or SHA-384 for ECDSA P-384.
func (u *Unsigned) Digest(s Scheme) []byte { return imageDigest(s, u.Content) }

func imageDigest(s Scheme, content []byte) []byte {
	if s == SchemeECDSAP384 {
		d := sha512.Sum384(content)
		return d[:]
	}
	return sha256Sum(content)
}

// Assemble returns Content followed by the signature sector: the kept blocks, then
// blocks, then 0xFF up to 4096 bytes.
func (u *Unsigned) Assemble(blocks ...*SignatureBlock) ([]byte, error) {
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%w: no signature block to add", ErrBlock)
	}
	if len(blocks) > u.Free() {
		return nil, fmt.Errorf("%w: Number of keys(%d) more than the empty signature blocks.(%d)", ErrTooManyBlocks, len(blocks), u.Free())
	}
	out := make([]byte, 0, len(u.Content)+SectorSize)
	out = append(out, u.Content...)
	for _, k := range u.kept {
		out = append(out, k...)
	}
	for i, b := range blocks {
		if b == nil || b.Key == nil {
			return nil, fmt.Errorf("%w: signature block %d is empty", ErrBlock, i)
		}
		if !bytes.Equal(b.ImageDigest, u.Digest(b.Key.Scheme)) {
			return nil, fmt.Errorf("%w: signature block %d was made for another image", ErrDigestMismatch, i)
		}
		enc, err := b.MarshalBinary()
		if err != nil {
			return nil, err
		}
		out = append(out, enc...)
	}
	for len(out) < len(u.Content)+SectorSize {
		out = append(out, 0xFF)
	}
	return out, nil
}

// NewSignatureBlock builds the block for a signature made elsewhere (pre-calculated, an
// HSM or a remote signer) over digest, after checking that it verifies with pub.
// An RSA signature is the big-endian RSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt)
// value; an ECDSA signature is DER (as espsecure takes it) or raw big-endian r || s.
func NewSignatureBlock(pub *PublicKey, digest, signature []byte) (*SignatureBlock, error) {
	if err := pub.check(); err != nil {
		return nil, err
	}
	if len(digest) != digestLen(pub.Scheme) {
		return nil, fmt.Errorf("%w: digest is %d bytes, %v needs %d", ErrInvalidSignature, len(digest), pub.Scheme, digestLen(pub.Scheme))
	}
	const notSigned = "Signature verification failed: Invalid Signature. The pre-calculated signature has not been signed using the given public key"
	b := &SignatureBlock{Key: pub, ImageDigest: bytes.Clone(digest)}
	if pub.Scheme == SchemeRSA3072 {
		if len(signature) > rsaLen {
			return nil, fmt.Errorf("%w: RSA signature is %d bytes", ErrInvalidSignature, len(signature))
		}
		sig := make([]byte, rsaLen)
		copy(sig[rsaLen-len(signature):], signature)
		if err := rsa.VerifyPSS(pub.RSA, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: 32}); err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalidSignature, notSigned)
		}
		b.Signature = sig
		return b, nil
	}
	c := curveByScheme(pub.Scheme)
	if c == nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyType, pub.Scheme)
	}
	r, s, err := parseDERSignature(signature)
	if err != nil {
		if len(signature) != 2*c.size {
			return nil, err
		}
		r = new(big.Int).SetBytes(signature[:c.size])
		s = new(big.Int).SetBytes(signature[c.size:])
	}
	if !verifyECDSA(pub, digest, r, s) {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSignature, notSigned)
	}
	b.Signature = append(r.FillBytes(make([]byte, c.size)), s.FillBytes(make([]byte, c.size))...)
	return b, nil
}

// SignOptions controls SignV2.
type SignOptions struct {
	// Append keeps the valid blocks of the image's existing signature sector.
	Append bool
	// Rand, when set, makes signatures randomized like espsecure's (fresh RSA-PSS salt;
	// ECDSA P-256/P-384 then use the system random source, as crypto/ecdsa always does
	// with a non-nil reader; P-192 hedges its RFC 6979 nonce with 32 bytes of Rand).
	// When nil, signing is deterministic: RFC 6979 for ECDSA, and for RSA-PSS a salt
	// HMAC-derived from the private key and the digest, so rebuilds are reproducible.
	Rand io.Reader
}

// SignV2 signs image with up to three keys and returns the image padded to a sector
// multiple followed by its signature sector, in the layout of `espsecure.py sign_data
// --version 2`.
func SignV2(image []byte, keys []*PrivateKey, opts SignOptions) ([]byte, error) {
	u, err := PrepareV2(image, PrepareOptions{Append: opts.Append})
	if err != nil {
		return nil, err
	}
	if len(keys) > u.Free() {
		return nil, fmt.Errorf("%w: Number of keys(%d) more than the empty signature blocks.(%d)", ErrTooManyBlocks, len(keys), u.Free())
	}
	blocks := make([]*SignatureBlock, 0, len(keys))
	for _, k := range keys {
		if err := k.check(); err != nil {
			return nil, err
		}
		digest := u.Digest(k.Scheme)
		sig, err := SignDigest(k, digest, opts.Rand)
		if err != nil {
			return nil, err
		}
		b, err := NewSignatureBlock(k.Public(), digest, sig)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
	}
	return u.Assemble(blocks...)
}

// SignV2Precalculated builds the signature sector from signatures made elsewhere, one per
// public key, like `sign_data --version 2 --pub-key ... --signature ...`. The image must
// already be a sector multiple. Every signature is verified before use.
func SignV2Precalculated(image []byte, pubs []*PublicKey, signatures [][]byte, appendSignatures bool) ([]byte, error) {
	if len(pubs) != len(signatures) {
		return nil, fmt.Errorf("%w: Number of public keys (%d) not equal to the number of signatures %d.", ErrInvalidSignature, len(pubs), len(signatures))
	}
	u, err := PrepareV2(image, PrepareOptions{Append: appendSignatures, RequireAligned: true})
	if err != nil {
		return nil, err
	}
	if len(pubs) > u.Free() {
		return nil, fmt.Errorf("%w: Number of keys(%d) more than the empty signature blocks.(%d)", ErrTooManyBlocks, len(pubs), u.Free())
	}
	blocks := make([]*SignatureBlock, 0, len(pubs))
	for i, pub := range pubs {
		if err := pub.check(); err != nil {
			return nil, fmt.Errorf("public key %d: %w", i, err)
		}
		b, err := NewSignatureBlock(pub, u.Digest(pub.Scheme), signatures[i])
		if err != nil {
			return nil, fmt.Errorf("signature %d: %w", i, err)
		}
		blocks = append(blocks, b)
	}
	return u.Assemble(blocks...)
}

// SignDigest signs a V2 image digest (from Unsigned.Digest) with k. RSA returns the
// 384-byte big-endian RSA-PSS signature; ECDSA returns raw big-endian r || s. rand nil
// means deterministic (see SignOptions.Rand).
func SignDigest(k *PrivateKey, digest []byte, rand io.Reader) ([]byte, error) {
	if err := k.check(); err != nil {
		return nil, err
	}
	if len(digest) != digestLen(k.Scheme) {
		return nil, fmt.Errorf("%w: digest is %d bytes, %v needs %d", ErrInvalidSignature, len(digest), k.Scheme, digestLen(k.Scheme))
	}
	if k.Scheme == SchemeRSA3072 {
		salt := rand
		if salt == nil {
			salt = bytes.NewReader(derivedPSSSalt(k.RSA, digest))
		}
		return rsa.SignPSS(salt, k.RSA, crypto.SHA256, digest, &rsa.PSSOptions{SaltLength: 32})
	}
	c := curveByScheme(k.Scheme)
	if c == nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyType, k.Scheme)
	}
	var r, s *big.Int
	if c.std == nil {
		var extra []byte
		if rand != nil {
			extra = make([]byte, 32)
			if _, err := io.ReadFull(rand, extra); err != nil {
				return nil, err
			}
		}
		r, s = c.signGeneric(k.D, digest, hashFor(k.Scheme).New, extra)
	} else {
		sk, err := k.stdECDSA()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
		}
		der, err := sk.Sign(rand, digest, hashFor(k.Scheme))
		if err != nil {
			return nil, err
		}
		if r, s, err = parseDERSignature(der); err != nil {
			return nil, err
		}
	}
	return append(r.FillBytes(make([]byte, c.size)), s.FillBytes(make([]byte, c.size))...), nil
}

// derivedPSSSalt makes the RSA-PSS salt a function of the key and the digest, in the
// spirit of RFC 6979: reproducible, yet unpredictable without the private key.
func derivedPSSSalt(k *rsa.PrivateKey, digest []byte) []byte {
	secret := sha256.New()
	secret.Write([]byte("espcompose secureboot v2 rsa-pss salt\x00"))
	secret.Write(k.D.Bytes())
	m := hmac.New(sha256.New, secret.Sum(nil))
	m.Write(digest)
	return m.Sum(nil)
}
