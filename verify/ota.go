package verify

import (
	"bytes"

	"github.com/espcompose/espcompose/stages"
)

// ota checks each per-slot OTA artifact: flash-encrypted exactly when the slot is,
// decrypting at the slot's offset to the signed app, holding the declared image with
// a valid signature, and byte-equal to what the factory image writes into the slot
// when that slot is filled with the same image.
func (c *checker) ota() {
	fe := c.flashEncryption()
	for _, s := range c.in.Plan.OTA {
		data, ok := c.files[s.File]
		if !ok {
			c.fail("ota", s.File, "missing from the outputs")
			continue
		}
		image := ""
		for _, o := range c.cfg.OTAs {
			if o.Name == s.OTA {
				image = o.Image.Name
			}
		}
		mp := c.cfg.Partition(s.Slot)
		slotFile := "" // the factory image's file of this slot, when it holds this image
		for _, r := range c.in.Plan.Regions {
			if r.Kind == "partition" && r.Partition == mp {
				if r.Offset != s.Offset {
					c.fail("ota", s.File, "is for 0x%x, but slot %s is at 0x%x", s.Offset, s.Slot, r.Offset)
				}
				if r.Stage != "" && mp.Contents != nil && mp.Contents.Kind == "image" && mp.Contents.Name == image {
					slotFile = r.File
				}
			}
		}
		// The artifact of the slot the factory image fills is usually that very file;
		// its bytes then had every check above, at the same offset.
		if other, ok := c.files[slotFile]; ok && slotFile != "" && bytes.Equal(data, other) {
			c.pass("ota", s.File, "equals %s, the same image in slot %s, checked above", slotFile, s.Slot)
			continue
		}
		pre := fe != nil && !fe.DeviceEncrypts
		enc, isEnc := c.stage(s.Stage).(*stages.Encrypt)
		plain := data
		switch {
		case pre && !isEnc:
			c.fail("ota", s.File, "written in plaintext, but slot %s is read through flash decryption", s.Slot)
		case !pre && isEnc:
			c.fail("ota", s.File, "flash-encrypted, but slot %s is read as plaintext", s.Slot)
		case isEnc:
			plain = c.decryptTo("ota", s.File, data, s.Offset, enc.Dep, "the signed app")
		}
		if plain != nil && image != "" {
			c.appImage(s.File, plain, image)
		}
		if other, ok := c.files[slotFile]; ok && slotFile != "" {
			c.fail("ota", s.File, "differs from %s, which holds the same image in slot %s (first difference at byte 0x%x)", slotFile, s.Slot, firstDiff(data, other))
		}
	}
}
