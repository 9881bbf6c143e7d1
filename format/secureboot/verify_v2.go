package secureboot

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"fmt"
	"strings"
)

// BlockStatus is the outcome of VerifyV2 for one of the three block slots.
type BlockStatus struct {
	Index int
	// Present: the slot holds a block with the magic byte, a known version and a good
	// CRC. Absent or corrupted slots are skipped.
	Present bool
	// Scheme of a present block (ECDSA curve from its curve id).
	Scheme Scheme
	// KeyDigest is the SHA-256 of the block's key material (the eFuse key digest).
	KeyDigest []byte
	// Verified: the block's signature verifies with the supplied key.
	Verified bool
}

func checkSignedImage(image []byte) error {
	if len(image) < SectorSize || len(image)%SectorSize != 0 {
		return fmt.Errorf("%w: Invalid datafile. Data size should be non-zero & a multiple of 4096 (got %d bytes)", ErrNotAligned, len(image))
	}
	return nil
}

// blockKeyDigest is espsecure's key digest of a present block.
func blockKeyDigest(blk []byte) []byte {
	switch {
	case blk[1] == BlockVersionRSA:
		return sha256Sum(blk[offRSAN:offRSASig])
	case blockIsSHA384(blk):
		return sha256Sum(blk[offDigest+48 : offDigest+48+1+96])
	}
	return sha256Sum(blk[offDigest+32 : offDigest+32+1+ecdsaFieldLen])
}

func blockScheme(blk []byte) Scheme {
	if blk[1] == BlockVersionRSA {
		return SchemeRSA3072
	}
	off := offDigest + 32
	if blockIsSHA384(blk) {
		off = offDigest + 48
	}
	if c := curveByID(blk[off]); c != nil {
		return c.scheme
	}
	return 0
}

// VerifyV2 checks a V2-signed image (content followed by its signature sector) against
// pub, like `espsecure.py verify_signature --version 2`, and reports every slot. It
// fails with ErrInvalidSignature when no block verifies with pub, and with
// ErrDigestMismatch as soon as a present block's image digest differs from the content.
//
// Unlike espsecure 4.8.1, which looks only at block 0 for an ECDSA key (fixed in later
// esptool), every slot is checked for every key type.
func VerifyV2(image []byte, pub *PublicKey) ([]BlockStatus, error) {
	if err := pub.check(); err != nil {
		return nil, err
	}
	if err := checkSignedImage(image); err != nil {
		return nil, err
	}
	content := image[:len(image)-SectorSize]
	sector := image[len(image)-SectorSize:]
	var out []BlockStatus
	valid := false
	for i := range MaxBlocks {
		blk := sector[i*BlockSize : (i+1)*BlockSize]
		st := BlockStatus{Index: i}
		if !blockHeaderValid(blk) {
			out = append(out, st)
			continue
		}
		st.Present = true
		st.Scheme = blockScheme(blk)
		st.KeyDigest = blockKeyDigest(blk)
		var digest, blkDigest []byte
		if blockIsSHA384(blk) {
			digest, blkDigest = imageDigest(SchemeECDSAP384, content), blk[offDigest:offDigest+48]
		} else {
			digest, blkDigest = imageDigest(SchemeRSA3072, content), blk[offDigest:offDigest+32]
		}
		if !bytes.Equal(digest, blkDigest) {
			out = append(out, st)
			return out, fmt.Errorf("%w: Signature block %d image digest %x does not match the actual image digest %x", ErrDigestMismatch, i, blkDigest, digest)
		}
		st.Verified = verifyBlockWith(blk, pub, digest)
		valid = valid || st.Verified
		out = append(out, st)
	}
	if !valid {
		return out, fmt.Errorf("%w: Checked all blocks. Signature could not be verified with the provided key.", ErrInvalidSignature)
	}
	return out, nil
}

// verifyBlockWith verifies the signature stored in blk with the supplied key, reading
// the signature at the offsets of the block's own layout, as espsecure does.
func verifyBlockWith(blk []byte, pub *PublicKey, digest []byte) bool {
	if pub.Scheme == SchemeRSA3072 {
		if blk[1] != BlockVersionRSA {
			return false
		}
		sig := reversed(blk[offRSASig : offRSASig+rsaLen])
		return rsa.VerifyPSS(pub.RSA, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: 32}) == nil
	}
	if blk[1] != BlockVersionECDSA {
		return false
	}
	hashLen, field := 32, ecdsaFieldLen
	if blockIsSHA384(blk) {
		hashLen, field = 48, 96
	}
	off := offDigest + hashLen
	// The curve must fit the block's layout and the supplied key's digest.
	c := curveByID(blk[off])
	if c == nil || digestLen(c.scheme) != hashLen || digestLen(pub.Scheme) != hashLen {
		return false
	}
	sig := blk[off+1+field : off+1+2*field]
	r := fromLittleEndian(sig[:c.size])
	s := fromLittleEndian(sig[c.size : 2*c.size])
	return verifyECDSA(pub, digest, r, s)
}

// SignatureInfoV2 returns the text `espsecure.py signature_info_v2` prints after its
// banner line ("espsecure.py v4.8.1\n", which the caller adds). On failure it returns
// the text printed so far together with the error; the tool then prints
// "\nA fatal error occurred: <message>\n" where <message> is SignatureInfoError(err).
func SignatureInfoV2(image []byte) (string, error) {
	if err := checkSignedImage(image); err != nil {
		return "", err
	}
	content := image[:len(image)-SectorSize]
	sector := image[len(image)-SectorSize:]
	var sb strings.Builder
	for i := range MaxBlocks {
		blk := sector[i*BlockSize : (i+1)*BlockSize]
		if !blockHeaderValid(blk) {
			fmt.Fprintf(&sb, "Signature block %d absent/invalid. Skipping checking next blocks.\n", i)
			return sb.String(), nil
		}
		kind := "RSA"
		if blk[1] == BlockVersionECDSA {
			kind = "ECDSA"
		}
		fmt.Fprintf(&sb, "Signature block %d is valid (%s).\n", i, kind)
		var digest, blkDigest []byte
		if blockIsSHA384(blk) {
			digest, blkDigest = imageDigest(SchemeECDSAP384, content), blk[offDigest:offDigest+48]
		} else {
			digest, blkDigest = imageDigest(SchemeRSA3072, content), blk[offDigest:offDigest+32]
		}
		if !bytes.Equal(digest, blkDigest) {
			return sb.String(), &infoError{msg: fmt.Sprintf("Digest in signature block %d doesn't match the image digest.", i), err: ErrDigestMismatch}
		}
		kd := blockKeyDigest(blk)
		hexes := make([]string, len(kd))
		for j, v := range kd {
			hexes[j] = fmt.Sprintf("%02x", v)
		}
		fmt.Fprintf(&sb, "Public key digest for block %d: %s\n", i, strings.Join(hexes, " "))
	}
	return sb.String(), nil
}

// infoError carries espsecure's exact message alongside a sentinel.
type infoError struct {
	msg string
	err error
}

func (e *infoError) Error() string { return e.err.Error() + ": " + e.msg }
func (e *infoError) Unwrap() error { return e.err }

// SignatureInfoError returns espsecure's own wording of an error from SignatureInfoV2.
func SignatureInfoError(err error) string {
	if ie, ok := err.(*infoError); ok {
		return ie.msg
	}
	return err.Error()
}

// ParseSignatureSector decodes the blocks of a V2 signature sector (the last 4096 bytes
// of a signed image, or the sector alone), stopping at the first absent slot as the ROM
// does. A present block that fails strict validation is an error.
func ParseSignatureSector(sector []byte) ([]*SignatureBlock, error) {
	if len(sector) < SectorSize {
		return nil, fmt.Errorf("%w: %d bytes is shorter than a signature sector", ErrBlock, len(sector))
	}
	sector = sector[len(sector)-SectorSize:]
	var out []*SignatureBlock
	for i := range MaxBlocks {
		blk := sector[i*BlockSize : (i+1)*BlockSize]
		if !blockHeaderValid(blk) {
			break
		}
		b := new(SignatureBlock)
		if err := b.UnmarshalBinary(blk); err != nil {
			return out, fmt.Errorf("block %d at sector offset %d: %w", i, i*BlockSize, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// Verify checks b's signature against its own key and digest.
func (b *SignatureBlock) Verify() error {
	_, err := NewSignatureBlock(b.Key, b.ImageDigest, b.Signature)
	return err
}
