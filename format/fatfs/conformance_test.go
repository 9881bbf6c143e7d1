package fatfs

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// caseOptions turns a case's params into Options.
func caseOptions(t *testing.T, c conformance.Case) Options {
	t.Helper()
	p := c.Params
	num := func(k string) int {
		v, ok := p[k].(float64)
		if !ok {
			t.Fatalf("%s: params.%s missing", c.Name, k)
		}
		return int(v)
	}
	vid, err := strconv.ParseUint(p["volume_id"].(string), 0, 32)
	if err != nil {
		t.Fatalf("%s: volume_id: %v", c.Name, err)
	}
	o := Options{
		SectorSize:        num("sector_size"),
		SectorsPerCluster: num("sectors_per_cluster"),
		FATCount:          num("fat_count"),
		RootEntries:       num("root_entry_count"),
		FATType:           num("fat_type"),
		LongNames:         p["long_name_support"] == true,
		VolumeID:          uint32(vid),
		VolumeLabel:       "Espressif",
	}
	if p["use_default_datetime"] != true {
		t.Fatalf("%s: only --use_default_datetime cases are reproducible", c.Name)
	}
	switch s := p["size_arg"].(string); s {
	case "detect":
		o.Size = 0
		o.DetectDirName = p["input_dir"].(string)
	default:
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			t.Fatalf("%s: size_arg %q: %v", c.Name, s, err)
		}
		o.Size = int(n)
	}
	return o
}

// readInput walks a case's input folder into entries, empty folders included.
func readInput(t testing.TB, dir string) []Entry {
	t.Helper()
	var out []Entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out = append(out, Entry{Path: rel, Dir: true})
			return nil
		}
		b, err := os.ReadFile(p)
		out = append(out, Entry{Path: rel, Data: b})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// refErrors maps the reference's exception names to our sentinels.
var refErrors = map[string]error{
	"NoFreeClusterException":    ErrNoSpace,
	"TooLongNameException":      ErrNameTooLong,
	"InconsistentFATAttributes": ErrFATType,
}

func conformanceRootOrEmpty() string { return conformance.Root() }

func fatCases(t *testing.T) []conformance.Case { return fsCases(t, "fat") }

func wlCases(t *testing.T) []conformance.Case { return fsCases(t, "wl-fat") }

func fsCases(t *testing.T, typ string) []conformance.Case {
	var out []conformance.Case
	for _, c := range conformance.Load(t, "fsimage") {
		if c.Params["type"] == typ {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s cases in fsimage", typ)
	}
	return out
}

func TestConformance(t *testing.T) {
	for _, c := range fatCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			opts := caseOptions(t, c)
			entries := readInput(t, filepath.Join(c.Dir, c.Params["input_dir"].(string)))
			img, err := Build(entries, opts)
			if c.ExpectedError {
				if err == nil {
					t.Fatalf("built an image; the reference fails with %s", c.ErrorContains)
				}
				want, ok := refErrors[c.ErrorContains]
				if !ok {
					t.Fatalf("unknown reference error %q (got %v)", c.ErrorContains, err)
				}
				if !errors.Is(err, want) {
					t.Fatalf("error %v, want %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := gunzip(t, c.File(t, *c.Expected))
			if !bytes.Equal(img, want) {
				t.Fatalf("image differs from the reference: %s", firstDiff(img, want))
			}
		})
	}
}

func firstDiff(got, want []byte) string {
	if len(got) != len(want) {
		return "length " + strconv.Itoa(len(got)) + ", want " + strconv.Itoa(len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			end := min(i+16, len(got))
			return "first difference at byte 0x" + strconv.FormatInt(int64(i), 16) +
				": got " + strings.TrimSpace(hexBytes(got[i:end])) + ", want " + hexBytes(want[i:end])
		}
	}
	return ""
}

func hexBytes(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		s.WriteString(strconv.FormatInt(int64(c)|0x100, 16)[1:] + " ")
	}
	return s.String()
}
