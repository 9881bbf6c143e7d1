package fsimage

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/espcompose/espcompose/format/fatfs"
	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/format/wl"
)

// Image is a decoded filesystem partition.
type Image struct {
	Type    string
	Entries []Entry // in path order; FAT folders included
	// DeviceID and WLMode are read from the WL state (wl-fat only).
	DeviceID uint32
	WLMode   string
}

// Files are the regular files of the image.
func (im *Image) Files() []Entry {
	var out []Entry
	for _, e := range im.Entries {
		if !e.Dir {
			out = append(out, e)
		}
	}
	return out
}

// Detect names the filesystem in a partition image: wear-levelled FAT when its WL
// config and state are valid, FAT when it starts with a FAT boot sector, SPIFFS
// otherwise (SPIFFS has no header to recognise it by).
func Detect(img []byte) string {
	if _, _, err := wl.Unwrap(img); err == nil {
		return WLFAT
	}
	if looksFAT(img) {
		return FAT
	}
	return SPIFFS
}

// looksFAT checks the boot sector's jump instruction and signature.
func looksFAT(img []byte) bool {
	return len(img) >= 512 && (img[0] == 0xEB || img[0] == 0xE9) && img[510] == 0x55 && img[511] == 0xAA
}

// Decode reads an image of the given type; spiffsOpts says how a SPIFFS image was
// laid out (it records none of it), its Size is taken from the image.
func Decode(img []byte, typ string, spiffsOpts spiffs.Options) (*Image, error) {
	im := &Image{Type: typ}
	var err error
	switch typ {
	case SPIFFS:
		spiffsOpts.Size = len(img)
		var files []spiffs.File
		files, err = spiffs.Decode(img, spiffsOpts)
		for _, f := range files {
			im.Entries = append(im.Entries, Entry{Path: strings.TrimPrefix(f.Path, "/"), Data: f.Data})
		}
	case FAT:
		im.Entries, err = decodeFAT(img)
	case WLFAT:
		fat, o, werr := wl.Unwrap(img)
		if werr != nil {
			return nil, werr
		}
		im.DeviceID, im.WLMode = o.DeviceID, modeName(o.Mode)
		im.Entries, err = decodeFAT(fat)
	default:
		return nil, fmt.Errorf("%w: unknown type %q", ErrSpec, typ)
	}
	if err != nil {
		return nil, err
	}
	sort.SliceStable(im.Entries, func(i, j int) bool { return im.Entries[i].Path < im.Entries[j].Path })
	return im, nil
}

func decodeFAT(img []byte) ([]Entry, error) {
	es, err := fatfs.Decode(img)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry{Path: strings.TrimPrefix(e.Path, "/"), Dir: e.Dir, Data: e.Data}
	}
	return out, nil
}

// ErrDiffers is wrapped by Compare's error.
var ErrDiffers = errors.New("filesystem contents differ")

// Compare says whether a decoded image holds exactly the files of want (folders
// aside). FAT names are compared without case, as FAT looks them up, since the
// generator upper-cases 8.3 names.
func Compare(im *Image, want []Entry) error {
	key := func(p string) string {
		if im.Type == SPIFFS {
			return p
		}
		return strings.ToUpper(p)
	}
	got := map[string][]byte{}
	for _, e := range im.Files() {
		got[key(e.Path)] = e.Data
	}
	var problems []string
	seen := map[string]bool{}
	for _, e := range want {
		if e.Dir {
			continue
		}
		k := key(e.Path)
		seen[k] = true
		data, ok := got[k]
		switch {
		case !ok:
			problems = append(problems, "missing "+e.Path)
		case !bytes.Equal(data, e.Data):
			problems = append(problems, fmt.Sprintf("%s differs (%d bytes, want %d)", e.Path, len(data), len(e.Data)))
		}
	}
	for _, e := range im.Files() {
		if !seen[key(e.Path)] {
			problems = append(problems, "unexpected "+e.Path)
		}
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return fmt.Errorf("%w: %s", ErrDiffers, strings.Join(problems, "; "))
	}
	return nil
}
