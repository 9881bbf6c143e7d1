package verify

import (
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// contents checks what each region holds, read as the device reads it, against what
// the manifest declares for it.
func (c *checker) contents() {
	for _, r := range c.in.Plan.Regions {
		plain, ok := c.plain[r.Name]
		if !ok {
			continue
		}
		name := regionName(r)
		if r.Kind == "bootloader" {
			c.bootloader(name, plain)
			continue
		}
		if r.Kind != "partition" {
			continue // tables are checked on their own
		}
		mp := r.Partition
		switch {
		case mp.Contents != nil && mp.Contents.Kind == "image":
			c.appImage(name, plain, mp.Contents.Name)
		case mp.Contents != nil && mp.Contents.Kind == "nvs":
			c.nvs(name, plain, plainStage(c, r.Stage))
		case mp.Contents != nil && mp.Contents.Kind == "key":
			c.nvsKeys(name, plain, mp.Contents.Name)
		case mp.Contents != nil && mp.Contents.Kind == "cert":
			c.secureCert(name, plain, plainStage(c, r.Stage))
		case mp.Contents != nil && mp.Contents.Kind == "filesystem":
			c.filesystem(name, plain, r)
		case mp.Fill != nil:
			c.fill(name, plain, mp)
		case mp.Type == parttable.TypeData && mp.Subtype == parttable.SubtypeDataOTA && mp.File == "":
			c.otadata(name, plain, mp)
		}
	}
}

// plainStage is the stage whose output was encrypted into id, or id itself.
func plainStage(c *checker, id string) string {
	if e, ok := c.stage(id).(*stages.Encrypt); ok {
		return e.Dep
	}
	return id
}

// appImage checks that an app region or OTA artifact holds the declared image,
// followed by its signature when secure boot is on.
func (c *checker) appImage(subject string, plain []byte, image string) {
	info := c.in.Plan.Images[image]
	if info == nil {
		c.fail("image", subject, "the plan has no image.%s", image)
		return
	}
	if i := prefixDiff(plain, c.expectedImage(subject, image, info, plain)); i >= 0 {
		path := info.Path
		if rel, ok := c.in.Plan.Sources["source:image."+image]; ok {
			path = rel
		}
		c.fail("image", subject, "does not hold image.%s (%s): first difference at byte 0x%x", image, path, i)
	} else {
		c.pass("image", subject, "holds image.%s (%d bytes)", image, len(info.Data))
	}
	c.signature(subject, plain, false)
}

// bootloader checks the bootloader region: its V1 digest sector when used, an image
// whose header carries the target's flash parameters (they were set before hashing
// and signing, seed 004), and its signature.
func (c *checker) bootloader(subject string, plain []byte) {
	bl := plain
	if sb := c.secureBoot(); sb != nil && sb.Version == 1 {
		c.bootloaderDigestV1(subject, plain, sb.Keys[0].Name)
		if len(plain) <= 0x1000 {
			return
		}
		bl = plain[0x1000:]
	}
	img, err := appimage.Decode(bl)
	if err != nil {
		c.fail("image", subject, "is not a valid bootloader image: %v", err)
		return
	}
	switch {
	case !img.ChecksumValid():
		c.fail("image", subject, "bootloader checksum does not match (byte 0x%x)", img.ChecksumOffset)
	case img.Header.HashAppended && !img.SHA256Valid():
		c.fail("image", subject, "bootloader's appended SHA-256 does not match")
	default:
		c.bootloaderHeader(subject, img)
	}
	c.signature(subject, bl, true)
}

func (c *checker) bootloaderHeader(subject string, img *appimage.Image) {
	t := c.cfg.Target
	var bad []string
	if mode, _ := img.FlashModeName(); t.FlashMode != "" && mode != t.FlashMode {
		bad = append(bad, fmt.Sprintf("flash_mode %s, target.flash_mode is %s", mode, t.FlashMode))
	}
	if freq, _ := img.FlashFreqName(c.in.Plan.Chip); t.FlashFreq != "" && freq != t.FlashFreq {
		bad = append(bad, fmt.Sprintf("flash_freq %s, target.flash_freq is %s", freq, t.FlashFreq))
	}
	if size, _ := img.FlashSizeName(); size != t.FlashSizeName {
		bad = append(bad, fmt.Sprintf("flash_size %s, target.flash_size is %s", size, t.FlashSizeName))
	}
	for _, b := range bad {
		c.fail("image", subject, "bootloader header says %s", b)
	}
	if len(bad) == 0 {
		c.pass("image", subject, "bootloader image valid; header flash parameters match the target")
	}
}

// otadata checks that the otadata partition boots the slot the manifest's boot names,
// by the bootloader's own rule (ota_seq - 1) % number of OTA slots.
func (c *checker) otadata(subject string, plain []byte, mp *manifest.Partition) {
	slots := map[int]string{}
	for _, p := range c.cfg.Partitions {
		if p.Type == parttable.TypeApp && p.Subtype >= parttable.SubtypeAppOTA0 && p.Subtype < parttable.SubtypeAppOTA0+otadata.MaxSlots {
			slots[int(p.Subtype-parttable.SubtypeAppOTA0)] = p.Name
		}
	}
	if len(plain) < otadata.Size {
		c.fail("otadata", subject, "is %d bytes; otadata is 0x%x", len(plain), otadata.Size)
		return
	}
	st, err := otadata.Decode(plain[:otadata.Size], len(slots))
	if err != nil {
		c.fail("otadata", subject, "does not decode: %v", err)
		return
	}
	got := "no slot (blank)"
	if st.Active >= 0 {
		got = fmt.Sprintf("slot %d", st.Slot)
		if n, ok := slots[st.Slot]; ok {
			got = n
		}
	}
	if mp.Boot == nil {
		if st.Active >= 0 {
			c.fail("otadata", subject, "selects %s; the manifest sets no boot, so it should be blank", got)
			return
		}
		c.pass("otadata", subject, "blank, as the manifest sets no boot")
		return
	}
	target := c.cfg.Partition(mp.Boot.Name)
	if target == nil || st.Active < 0 || slots[st.Slot] != target.Name {
		c.fail("otadata", subject, "selects %s; the manifest's boot names %s", got, mp.Boot.Name)
		return
	}
	c.pass("otadata", subject, "selects %s, as the manifest's boot says", got)
}

// nvsKeys checks that an nvs_keys partition holds the keys of its key, without ever
// printing them.
func (c *checker) nvsKeys(subject string, plain []byte, keyName string) {
	if c.in.Keys == nil {
		c.fail("nvs-keys", subject, "no key store to read key.%s from", keyName)
		return
	}
	keys, err := stages.NVSKeys(c.env, keyName, "nvs-xts")
	if err != nil {
		c.fail("nvs-keys", subject, "cannot read key.%s: %v", keyName, err)
		return
	}
	want := keys.MarshalPartition()
	defer clear(want)
	if i := prefixDiff(plain, want); i >= 0 {
		c.fail("nvs-keys", subject, "does not hold the NVS keys of key.%s (first difference at byte 0x%x)", keyName, i)
		return
	}
	c.pass("nvs-keys", subject, "holds the NVS keys of key.%s", keyName)
}

// fill checks a partition declared as one repeated byte.
func (c *checker) fill(subject string, plain []byte, mp *manifest.Partition) {
	if uint32(len(plain)) < mp.Size {
		c.fail("fill", subject, "is %d bytes; the partition is %d", len(plain), mp.Size)
		return
	}
	for i, b := range plain[:mp.Size] {
		if b != *mp.Fill {
			c.fail("fill", subject, "is not filled with 0x%02x: byte 0x%x is 0x%02x", *mp.Fill, i, b)
			return
		}
	}
	c.pass("fill", subject, "filled with 0x%02x", *mp.Fill)
}
