package verify

import (
	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/planner"
)

// expectedImage is the image an app region must hold: the input, or, with the
// manifest's secure_version, the input with that secure_version written in. The
// region's own bytes are then decoded as the bootloader will read them: the app
// description must carry the version and the checksum and appended SHA-256 must hold.
func (c *checker) expectedImage(subject, image string, info *planner.ImageInfo, plain []byte) []byte {
	im := c.cfg.Image(image)
	if im == nil || im.SecureVersion == nil {
		return info.Data
	}
	want, err := appimage.SetSecureVersion(info.Data, *im.SecureVersion)
	if err != nil {
		c.fail("secure-version", subject, "cannot set secure_version in image.%s: %v", image, err)
		return info.Data
	}
	img, err := appimage.Decode(plain)
	switch {
	case err != nil:
		c.fail("secure-version", subject, "is not an image: %v", err)
	case img.AppDesc == nil:
		c.fail("secure-version", subject, "has no app description to carry secure_version")
	case img.AppDesc.SecureVersion != *im.SecureVersion:
		c.fail("secure-version", subject, "app description says secure_version %d, the manifest %d", img.AppDesc.SecureVersion, *im.SecureVersion)
	case !img.ChecksumValid() || (img.Header.HashAppended && !img.SHA256Valid()):
		c.fail("secure-version", subject, "image checksum or SHA-256 does not match after setting secure_version")
	default:
		c.pass("secure-version", subject, "app description carries secure_version %d, checksum and SHA-256 valid", *im.SecureVersion)
	}
	return want
}
