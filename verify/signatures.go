package verify

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/stages"
)

// publicKey is the verification key of a configured signing key: from its signer
// (local file, command, PKCS#11 token or offline folder alike), or else the public
// key the build recorded for it.
func (c *checker) publicKey(name string) (*secureboot.PublicKey, error) {
	if k, ok := c.pubs[name]; ok {
		return k, nil
	}
	var pub *secureboot.PublicKey
	var err error
	if c.in.Signers != nil {
		var s stages.Signer
		if s, err = c.in.Signers.Signer(name); err == nil {
			pub, err = s.PublicKey()
		}
	} else if pem, ok := c.artifact("signer:" + name); ok {
		pub, err = secureboot.ParsePublicKeyPEM(pem)
	} else {
		err = fmt.Errorf("no signer and no recorded public key")
	}
	if err != nil {
		return nil, err
	}
	c.pubs[name] = pub
	return pub, nil
}

// signature checks the signature of an image as the device's secure boot will: V2
// blocks, one per configured key in order, each verifying with that key; or the V1
// trailer of an app. The V1 bootloader is covered by its digest instead.
func (c *checker) signature(subject string, plain []byte, isBootloader bool) {
	sb := c.secureBoot()
	if sb == nil || (sb.Version == 1 && isBootloader) {
		return
	}
	img, err := appimage.Decode(plain)
	if err != nil {
		c.fail("signature", subject, "is not an image, so its signature cannot be checked: %v", err)
		return
	}
	if sb.Version == 1 {
		c.signatureV1(subject, plain, img, sb.Keys[0].Name)
		return
	}
	end := (img.Len() + secureboot.SectorSize - 1) / secureboot.SectorSize * secureboot.SectorSize
	if end+secureboot.SectorSize > len(plain) {
		c.fail("signature", subject, "has no Secure Boot V2 signature sector after its image (image ends at 0x%x)", img.Len())
		return
	}
	signed := plain[:end+secureboot.SectorSize]
	// A key marked revoked keeps its digest slot but signs nothing.
	keys := c.cfg.SigningKeys()
	present := -1
	var good []string
	for i, ref := range keys {
		pub, err := c.publicKey(ref.Name)
		if err != nil {
			c.fail("signature", subject, "cannot get the public key of key.%s: %v", ref.Name, err)
			return
		}
		sts, verr := secureboot.VerifyV2(signed, pub)
		if present < 0 && sts != nil {
			present = 0
			for _, s := range sts {
				if s.Present {
					present++
				}
			}
		}
		switch {
		case errors.Is(verr, secureboot.ErrDigestMismatch):
			c.fail("signature", subject, "Secure Boot V2 signature block %d does not cover this image (image digest mismatch)", i)
		case i < len(sts) && sts[i].Verified:
			good = append(good, "key."+ref.Name)
		case i < len(sts) && sts[i].Present:
			c.fail("signature", subject, "Secure Boot V2 signature block %d does not verify with key.%s", i, ref.Name)
		default:
			c.fail("signature", subject, "has no valid Secure Boot V2 signature block %d for key.%s", i, ref.Name)
		}
	}
	if present >= 0 && present != len(keys) {
		c.fail("signature", subject, "has %d Secure Boot V2 signature block(s); the manifest configures %d key(s)", present, len(keys))
		return
	}
	if len(good) == len(keys) {
		c.pass("signature", subject, "Secure Boot V2 signature verifies with %s", strings.Join(good, ", "))
	}
}

func (c *checker) signatureV1(subject string, plain []byte, img *appimage.Image, key string) {
	pub, err := c.publicKey(key)
	if err != nil {
		c.fail("signature", subject, "cannot get the public key of key.%s: %v", key, err)
		return
	}
	n := img.Len() + secureboot.V1SignatureLen
	if n > len(plain) {
		c.fail("signature", subject, "has no Secure Boot V1 signature after its image (image ends at 0x%x)", img.Len())
		return
	}
	if err := secureboot.VerifyV1(pub, plain[:n]); err != nil {
		c.fail("signature", subject, "Secure Boot V1 signature does not verify with key.%s: %v", key, err)
		return
	}
	c.pass("signature", subject, "Secure Boot V1 signature verifies with key.%s", key)
}

// bootloaderDigestV1 recomputes the reflashable bootloader digest from the image that
// follows it, with the IV it records and the key derived from the signing key, as the
// ROM does at boot.
func (c *checker) bootloaderDigestV1(subject string, plain []byte, key string) {
	const sector = 0x1000
	if len(plain) <= sector {
		c.fail("digest", subject, "is %d bytes: no Secure Boot V1 digest sector followed by a bootloader", len(plain))
		return
	}
	if c.in.Keys == nil {
		c.fail("digest", subject, "no key store to derive the Secure Boot V1 digest key of key.%s from", key)
		return
	}
	sbKey, err := stages.SecureBootV1Key(c.env, key)
	if err != nil {
		c.fail("digest", subject, "cannot derive the Secure Boot V1 digest key: %v", err)
		return
	}
	defer clear(sbKey)
	want, err := secureboot.DigestSecureBootloader(sbKey, plain[:128], plain[sector:])
	if err != nil {
		c.fail("digest", subject, "cannot compute the Secure Boot V1 bootloader digest: %v", err)
		return
	}
	if len(want) > len(plain) || !bytes.Equal(want[:sector], plain[:sector]) {
		c.fail("digest", subject, "the Secure Boot V1 digest sector does not match the bootloader after it (key.%s)", key)
		return
	}
	c.pass("digest", subject, "Secure Boot V1 bootloader digest matches (key.%s)", key)
}
