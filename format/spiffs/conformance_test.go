package spiffs

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// caseOptions turns a case's params into Options, failing on a missing one so a
// hidden case with a new option is noticed rather than silently defaulted.
func caseOptions(t *testing.T, c conformance.Case) Options {
	t.Helper()
	num := func(name string) int {
		v, ok := c.Params[name].(float64)
		if !ok {
			t.Fatalf("%s: params.%s missing or not a number", c.Path, name)
		}
		return int(v)
	}
	flag := func(name string, def bool) bool {
		v, ok := c.Params[name]
		if !ok || v == nil {
			return def
		}
		b, ok := v.(bool)
		if !ok {
			t.Fatalf("%s: params.%s is not a bool", c.Path, name)
		}
		return b
	}
	return Options{
		Size:               num("image_size"),
		PageSize:           num("page_size"),
		BlockSize:          num("block_size"),
		ObjNameLen:         num("obj_name_len"),
		MetaLen:            num("meta_len"),
		UseMagic:           flag("use_magic", true),
		UseMagicLen:        flag("use_magic_len", true),
		AlignedObjIxTables: flag("aligned_obj_ix_tables", false),
		BigEndian:          flag("big_endian", false),
	}
}

// readTree loads a case's input folder the way spiffsgen's os.walk sees it:
// regular files and links to files become objects; a link to a folder is entered
// only with follow (--follow-symlinks).
func readTree(t *testing.T, dir string, follow ...bool) []File {
	t.Helper()
	var files []File
	var walk func(rel string)
	walk = func(rel string) {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatalf("read input tree: %v", err)
		}
		for _, e := range entries {
			p := path.Join(rel, e.Name())
			full := filepath.Join(dir, filepath.FromSlash(p))
			st, err := os.Stat(full)
			if err != nil {
				t.Fatalf("read input tree: %v", err)
			}
			if st.IsDir() {
				if e.Type()&fs.ModeSymlink == 0 || (len(follow) > 0 && follow[0]) {
					walk(p)
				}
				continue
			}
			data, err := os.ReadFile(full)
			if err != nil {
				t.Fatalf("read input tree: %v", err)
			}
			files = append(files, File{Path: p, Data: data})
		}
	}
	walk("")
	return files
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

// referenceSentinel maps the reference's error text to the sentinel with the same meaning.
func referenceSentinel(text string) error {
	switch {
	case strings.Contains(text, "image size has been exceeded"):
		return ErrNoSpace
	case strings.Contains(text, "too long"):
		return ErrNameTooLong
	case strings.Contains(text, "should be a multiple of"):
		return ErrInvalid
	}
	return nil
}

// TestConformance builds every spiffs case of ../shared/conformance/fsimage and
// compares it byte for byte with spiffsgen.py's image; error cases must fail
// with the reference's meaning. Every expected image must also decode back to
// the input tree, in the reference's file order.
func TestConformance(t *testing.T) {
	ran := 0
	for _, c := range conformance.Load(t, "fsimage") {
		if c.Param("type") != "spiffs" {
			continue
		}
		ran++
		t.Run(c.Name, func(t *testing.T) {
			opts := caseOptions(t, c)
			inputDir := c.Param("input_dir")
			if inputDir == "" {
				inputDir = "input"
			}
			files := readTree(t, filepath.Join(c.Dir, inputDir), c.Param("follow_symlinks") == "true")
			for _, in := range c.Inputs {
				c.File(t, in) // sha256 check of every input
			}
			img, err := Build(files, opts)
			if c.ExpectedError {
				if err == nil {
					t.Fatalf("built an image; the reference fails with %q", c.ErrorContains)
				}
				if !strings.Contains(err.Error(), c.ErrorContains) {
					t.Errorf("error %q does not say %q", err, c.ErrorContains)
				}
				if want := referenceSentinel(c.ErrorContains); want != nil && !errors.Is(err, want) {
					t.Errorf("error %v is not %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			want := gunzip(t, c.File(t, *c.Expected))
			if len(img) != len(want) {
				t.Fatalf("image is %d bytes, reference %d", len(img), len(want))
			}
			if !bytes.Equal(img, want) {
				for i := range img {
					if img[i] != want[i] {
						t.Fatalf("first difference at byte 0x%X (page %d): got %02X, reference %02X",
							i, i/opts.PageSize, img[i], want[i])
					}
				}
			}

			var sums struct {
				ImageSHA256 string `json:"image_sha256"`
			}
			c.Decode(t, &sums)
			if sum := sha256.Sum256(img); sums.ImageSHA256 != "" && hex.EncodeToString(sum[:]) != sums.ImageSHA256 {
				t.Errorf("image sha256 %x, case says %s", sum, sums.ImageSHA256)
			}

			got, err := Decode(want, opts)
			if err != nil {
				t.Fatalf("Decode(reference image): %v", err)
			}
			byPath := map[string][]byte{}
			for _, f := range files {
				byPath[f.Path] = f.Data
			}
			if len(got) != len(files) {
				t.Fatalf("decoded %d files, input has %d", len(got), len(files))
			}
			order, _ := c.Params["file_order"].([]any)
			for i, f := range got {
				data, ok := byPath[f.Path]
				if !ok || !bytes.Equal(data, f.Data) {
					t.Errorf("decoded %q (%d bytes) does not match the input", f.Path, len(f.Data))
				}
				if order != nil && (i >= len(order) || order[i] != "/"+f.Path) {
					t.Errorf("decoded file %d is %q; params.file_order has %v", i, f.Path, order[min(i, len(order)-1)])
				}
			}
		})
	}
	if ran == 0 {
		t.Fatal("index.json has no spiffs cases")
	}
}
