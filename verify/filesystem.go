package verify

import (
	"fmt"

	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/planner"
)

// filesystem checks that a filesystem partition, read as the device reads it, is the
// declared kind of filesystem and holds exactly the folder's files as the plan read
// them: same names, same bytes, nothing more. A wear-levelled one must also carry the
// device id the plan asked for (given, or derived from the content).
func (c *checker) filesystem(subject string, plain []byte, r *planner.Region) {
	var info *planner.FilesystemInfo
	for _, fi := range c.in.Plan.Filesystems {
		if fi.Partition == r.Name {
			info = fi
		}
	}
	if info == nil {
		c.fail("filesystem", subject, "the plan has no filesystem for this partition")
		return
	}
	spec := info.Spec
	if got := fsimage.Detect(plain); got != spec.Type && spec.Type != fsimage.SPIFFS {
		c.fail("filesystem", subject, "is not a %s image (it reads as %s)", spec.Type, got)
		return
	}
	im, err := fsimage.Decode(plain, spec.Type, spec.SPIFFSOptions())
	if err != nil {
		c.fail("filesystem", subject, "does not decode as %s: %v", spec.Type, err)
		return
	}
	if err := fsimage.Compare(im, info.Entries); err != nil {
		c.fail("filesystem", subject, "does not hold the files of filesystem.%s (%s/): %v", info.Name, info.Dir, err)
		return
	}
	detail := fmt.Sprintf("%s holds the %d files of filesystem.%s (%s/)", spec.Type, len(im.Files()), info.Name, info.Dir)
	if spec.Type == fsimage.WLFAT {
		want := fsimage.DeriveID("device_id", spec, info.Entries)
		if spec.DeviceID != nil {
			want = *spec.DeviceID
		}
		if im.DeviceID != want || im.WLMode != spec.WLMode {
			c.fail("filesystem", subject, "wear levelling has device id 0x%08x in %s mode; the plan says 0x%08x in %s mode",
				im.DeviceID, im.WLMode, want, spec.WLMode)
			return
		}
		detail += fmt.Sprintf(", wear levelling %s, device id 0x%08x", im.WLMode, im.DeviceID)
	}
	c.pass("filesystem", subject, "%s", detail)
}
