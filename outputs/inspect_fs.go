package outputs

import (
	"fmt"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/format/spiffs"
	"github.com/espcompose/espcompose/internal/fsimage"
)

// FilesystemSummary is what a fat or spiffs data partition holds.
type FilesystemSummary struct {
	Type     string           `json:"type"` // spiffs, fat or wl-fat
	DeviceID string           `json:"wl_device_id,omitempty"`
	WLMode   string           `json:"wl_mode,omitempty"`
	Files    []FilesystemFile `json:"files"`
}

// FilesystemFile is one file or folder of a filesystem partition.
type FilesystemFile struct {
	Path string `json:"path"`
	Dir  bool   `json:"dir,omitempty"`
	Size int    `json:"size"`
}

// isFilesystem says whether a partition is of a filesystem subtype (data/fat, data/spiffs).
func isFilesystem(e parttable.Entry) bool {
	return e.Type == parttable.TypeData && (e.Subtype == 0x81 || e.Subtype == 0x82)
}

// inspectFilesystem lists a filesystem partition's files. A fat partition is read as
// wear-levelled FAT when its WL structures are valid, else as plain FAT; a spiffs one
// with spiffsgen's default layout, the only one ESP-IDF's default configuration reads.
func inspectFilesystem(data []byte, subtype uint8) (*FilesystemSummary, string) {
	typ := fsimage.SPIFFS
	if subtype == 0x81 {
		typ = fsimage.Detect(data)
		if typ == fsimage.SPIFFS {
			return nil, "neither a FAT nor a wear-levelled FAT filesystem"
		}
	}
	im, err := fsimage.Decode(data, typ, spiffs.DefaultOptions(len(data)))
	if err != nil {
		if typ == fsimage.SPIFFS {
			return nil, fmt.Sprintf("not readable as SPIFFS with the default layout (page 256, block 4096, names 32, meta 4): %v", err)
		}
		return nil, err.Error()
	}
	fs := &FilesystemSummary{Type: typ, WLMode: im.WLMode, Files: []FilesystemFile{}}
	if typ == fsimage.WLFAT {
		fs.DeviceID = fmt.Sprintf("0x%08x", im.DeviceID)
	}
	for _, e := range im.Entries {
		fs.Files = append(fs.Files, FilesystemFile{Path: e.Path, Dir: e.Dir, Size: len(e.Data)})
	}
	return fs, ""
}
