package planner

import (
	"fmt"
	"sort"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/internal/fsutil"
	"github.com/espcompose/espcompose/manifest"
)

// loadImages reads, decodes and checks every image the manifest uses, so a wrong chip,
// a damaged file or a mismatched app description fails the plan, not the device.
func (p *planner) loadImages() {
	used := map[string]bool{}
	if bl := p.cfg.Bootloader; bl != nil {
		used[bl.Image.Name] = true
	}
	for _, mp := range p.cfg.AllPartitions() {
		if mp.Contents != nil && mp.Contents.Kind == "image" {
			used[mp.Contents.Name] = true
		}
	}
	for _, o := range p.cfg.OTAs {
		used[o.Image.Name] = true
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		im := p.cfg.Image(name)
		if im == nil {
			continue
		}
		p.loadImage(im, p.cfg.Bootloader != nil && p.cfg.Bootloader.Image.Name == name)
	}
}

func (p *planner) loadImage(im *manifest.Image, isBootloader bool) {
	at := im.Range
	if im.FileRange.Filename != "" {
		at = im.FileRange // what is wrong is the file the attribute names
	}
	data, err := fsutil.ReadFile(p.opts.FS, im.File)
	if err != nil {
		p.errorf(at, "Cannot read image", "image %q: %s: %v.", im.Name, p.rel(im.File), unwrap(err))
		return
	}
	img, err := appimage.Decode(data)
	if err != nil {
		p.errorf(at, "Invalid image", "image %q (%s) is not a valid ESP image: %v.", im.Name, p.rel(im.File), err)
		return
	}
	if err := img.CheckChip(p.plan.Chip); err != nil {
		other := fmt.Sprintf("chip id %d", img.Header.ChipID)
		if c, err := appimage.ChipByImageID(img.Header.ChipID); err == nil {
			other = c.Name
		}
		p.errorf(at, "Image for the wrong chip",
			"image %q (%s) was built for %s, but target.chip is %s.", im.Name, p.rel(im.File), other, p.plan.Chip.Name)
		return
	}
	if !img.ChecksumValid() {
		p.errorf(at, "Invalid image", "image %q (%s): checksum mismatch at byte offset 0x%x.", im.Name, p.rel(im.File), img.ChecksumOffset)
		return
	}
	if img.Header.HashAppended && !img.SHA256Valid() {
		p.errorf(at, "Invalid image", "image %q (%s): the appended SHA-256 at byte offset 0x%x does not match the image.", im.Name, p.rel(im.File), img.DataLen)
		return
	}
	p.plan.Images[im.Name] = &ImageInfo{Name: im.Name, Path: im.File, Size: len(data), Image: img, Data: data}
	if im.Expect != nil {
		p.checkExpect(im, img)
	}
	if isBootloader {
		p.checkBootloaderHeader(im, img)
	}
}

func (p *planner) checkExpect(im *manifest.Image, img *appimage.Image) {
	ex := im.Expect
	if ex.Chip != nil {
		// The header's chip id, which the ROM checks; independent of the app description.
		// The manifest refused a chip name it does not know; the codec's table decides
		// the chip id.
		if want, err := appimage.LookupChip(*ex.Chip); err == nil && img.CheckChip(want) != nil {
			got := fmt.Sprintf("chip id %d", img.Header.ChipID)
			if c, err := appimage.ChipByImageID(img.Header.ChipID); err == nil {
				got = c.Name
			}
			p.errorf(ex.AttrRange("chip"), "Image does not match expect",
				"image %q (%s) was built for %s, but expect says %s.", im.Name, p.rel(im.File), got, want.Name)
		}
	}
	if ex.ProjectName == nil && ex.Version == nil && ex.IDFVersion == nil && ex.SecureVersion == nil {
		return // only the header was asked about: a bootloader has no app description
	}
	d := img.AppDesc
	if d == nil {
		p.errorf(ex.Range, "Image has no app description",
			"image %q (%s) carries no esp_app_desc_t, so the expect block cannot be checked.", im.Name, p.rel(im.File))
		return
	}
	check := func(field string, want *string, got string) {
		if want != nil && *want != got {
			p.errorf(ex.AttrRange(field), "Image does not match expect",
				"image %q (%s) has %s %q, but expect says %q.", im.Name, p.rel(im.File), field, got, *want)
		}
	}
	check("project_name", ex.ProjectName, d.ProjectName)
	check("version", ex.Version, d.Version)
	check("idf_version", ex.IDFVersion, d.IDFVersion)
	if ex.SecureVersion != nil && *ex.SecureVersion != d.SecureVersion {
		p.errorf(ex.AttrRange("secure_version"), "Image does not match expect",
			"image %q (%s) has secure_version %d, but expect says %d.", im.Name, p.rel(im.File), d.SecureVersion, *ex.SecureVersion)
	}
}

// checkBootloaderHeader reports header fields that the build will change. The change
// itself is safe because it happens before hashing and signing (seed 004).
func (p *planner) checkBootloaderHeader(im *manifest.Image, img *appimage.Image) {
	t := p.cfg.Target
	if size, ok := img.FlashSizeName(); ok && size != t.FlashSizeName {
		p.warnf(im.Range, "Bootloader flash size differs from target",
			"image %q says flash size %s; target.flash_size is %s. espcompose writes %s into the header before the image is hashed or signed.",
			im.Name, size, t.FlashSizeName, t.FlashSizeName)
	}
}

func unwrap(err error) error {
	type u interface{ Unwrap() error }
	if x, ok := err.(u); ok && x.Unwrap() != nil {
		return x.Unwrap()
	}
	return err
}
