package verify

import (
	"fmt"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// subtypeNVSKeys is the data subtype of the nvs_keys partition.
const subtypeNVSKeys = 0x04

// regions reads every written region back as the device will: present in the outputs,
// within its reserved size, flash-encrypted exactly when the device decrypts it, and
// decrypting (with the flash key, at the region's own offset) to the bytes it was
// encrypted from. What the device reads is kept for the content checks.
func (c *checker) regions() {
	fe := c.flashEncryption()
	for _, r := range c.in.Plan.Regions {
		if r.Stage == "" {
			continue
		}
		name := regionName(r)
		data, ok := c.files[r.File]
		if !ok {
			c.fail("region", name, "missing from the outputs")
			continue
		}
		if uint64(len(data)) > uint64(r.Size) {
			c.fail("region", name, "%d bytes do not fit the region's %d (0x%x at 0x%x)", len(data), r.Size, r.Size, r.Offset)
			continue
		}
		decrypts := fe != nil && deviceDecrypts(r)
		pre := decrypts && !fe.DeviceEncrypts
		enc, isEnc := c.stage(r.Stage).(*stages.Encrypt)
		switch {
		case pre && !isEnc:
			c.fail("decrypt", name, "written in plaintext, but with flash encryption on the device reads it decrypted")
		case !pre && isEnc:
			c.fail("decrypt", name, "flash-encrypted, but the device reads it as plaintext")
		case isEnc:
			// Content checks read what the device would read, even when it is not
			// what was encrypted: they then say what that breaks.
			if plain := c.decryptTo("decrypt", name, data, r.Offset, enc.Dep, "the bytes it was encrypted from"); plain != nil {
				c.plain[r.Name] = plain
			}
		default:
			c.plain[r.Name] = data
		}
	}
}

// deviceDecrypts is the device's own rule for which flash it reads through flash
// decryption, stated here apart from the planner so that the two are checked
// against each other.
func deviceDecrypts(r *planner.Region) bool {
	switch r.Kind {
	case "bootloader", "partition-table":
		return true
	case "secondary-table":
		return r.Partition != nil && r.Partition.Encrypted
	}
	mp := r.Partition
	if mp == nil {
		return false
	}
	switch {
	case mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataNVS:
		return false // NVS pages are read raw; NVS encryption protects them
	case mp.Type == parttable.TypeApp, mp.Encrypted:
		return true
	case mp.Type == parttable.TypeData:
		return mp.Subtype == parttable.SubtypeDataOTA || mp.Subtype == parttable.SubtypeDataTEEOTA || mp.Subtype == subtypeNVSKeys
	}
	return false
}

// flashCipher is the cipher of the manifest's flash encryption key, made once.
func (c *checker) flashCipher() (*flashenc.Cipher, error) {
	if c.cipher != nil || c.cipherErr != nil {
		return c.cipher, c.cipherErr
	}
	fe := c.flashEncryption()
	if fe == nil {
		c.cipherErr = fmt.Errorf("flash encryption is off")
		return nil, c.cipherErr
	}
	if c.in.Keys == nil {
		c.cipherErr = fmt.Errorf("no key store to read key.%s from", fe.Key.Name)
		return nil, c.cipherErr
	}
	key, err := c.in.Keys.Secret(fe.Key.Name)
	if err != nil {
		c.cipherErr = err
		return nil, err
	}
	scheme, err := flashenc.SchemeFor(c.in.Plan.Chip.Name, len(key))
	if err == nil {
		conf := fe.CryptConfig
		c.cipher, err = flashenc.NewCipher(key, flashenc.Options{Scheme: scheme, FlashCryptConf: &conf})
	}
	if err != nil {
		c.cipherErr = fmt.Errorf("key.%s: %w", fe.Key.Name, err)
	}
	return c.cipher, c.cipherErr
}

// decryptTo decrypts data written at off and checks it is the artifact of stage
// dep, padded with erased bytes to the cipher's unit. It returns the plaintext, or
// nil when data cannot be decrypted at all.
func (c *checker) decryptTo(kind, subject string, data []byte, off uint32, dep, what string) []byte {
	keyName := c.flashEncryption().Key.Name
	cph, err := c.flashCipher()
	if err != nil {
		c.fail(kind, subject, "cannot decrypt with key.%s: %v", keyName, err)
		return nil
	}
	want, ok := c.artifact(dep)
	if !ok {
		c.fail(kind, subject, "the build holds no %s (stage %s)", what, dep)
		return nil
	}
	plain := make([]byte, len(data))
	if err := cph.DecryptAt(plain, data, off); err != nil {
		c.fail(kind, subject, "cannot decrypt at 0x%x: %v", off, err)
		return nil
	}
	if i := firstDiff(plain[:min(len(plain), len(want))], want); i >= 0 || len(plain) < len(want) {
		if i < 0 {
			i = len(plain)
		}
		c.fail(kind, subject, "does not decrypt with key.%s at 0x%x to %s (first difference at byte 0x%x)", keyName, off, what, i)
		return plain
	}
	if i := firstNotErased(plain[len(want):]); i >= 0 {
		c.fail(kind, subject, "decrypts to %s followed by bytes that are not erased padding (byte 0x%x)", what, len(want)+i)
		return plain
	}
	c.pass(kind, subject, "decrypts with key.%s at 0x%x to %s (%d bytes)", keyName, off, what, len(want))
	return plain
}

// prefixDiff is the first index where b does not start with want, or -1.
func prefixDiff(b, want []byte) int {
	if len(b) < len(want) {
		if i := firstDiff(b, want[:len(b)]); i >= 0 {
			return i
		}
		return len(b)
	}
	return firstDiff(b[:len(want)], want)
}
