package merged

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

type mergeFile struct {
	addr uint32
	name string
}

// parseMergeArgv turns an esptool merge_bin argv into Options and input files.
func parseMergeArgv(t *testing.T, argv []string) (Options, []mergeFile) {
	t.Helper()
	opts := Options{Chip: "auto"}
	var files []mergeFile
	i := 0
	for ; i < len(argv) && argv[i] != "merge_bin"; i++ {
		if argv[i] == "--chip" || argv[i] == "-c" {
			opts.Chip = argv[i+1]
		}
	}
	if i == len(argv) {
		t.Fatalf("not a merge_bin command: %q", argv)
	}
	num := func(s string) uint32 {
		v, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			t.Fatalf("bad number %q", s)
		}
		return uint32(v)
	}
	var pos []string
	for i++; i < len(argv); i++ {
		a := argv[i]
		val := func() string { i++; return argv[i] }
		switch a {
		case "-o", "--output":
			val()
		case "-f", "--format":
			opts.Format = Format(val())
		case "-fm", "--flash_mode":
			opts.FlashMode = val()
		case "-ff", "--flash_freq":
			opts.FlashFreq = val()
		case "-fs", "--flash_size":
			opts.FlashSize = val()
		case "-t", "--target-offset":
			opts.TargetOffset = num(val())
		case "--fill-flash-size":
			opts.FillFlashSize = val()
		case "--chunk-size":
			opts.ChunkSize = int(num(val()))
		case "--md5-disable":
			opts.DisableMD5 = true
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("unknown merge_bin option %q", a)
			}
			pos = append(pos, a)
		}
	}
	for k := 0; k+1 < len(pos); k += 2 {
		files = append(files, mergeFile{num(pos[k]), pos[k+1]})
	}
	return opts, files
}

func TestConformanceMerge(t *testing.T) {
	for _, c := range conformance.Load(t, "merge") {
		t.Run(c.Name, func(t *testing.T) {
			opts, files := parseMergeArgv(t, c.Command)
			parts := make([]Part, len(files))
			for i, f := range files {
				parts[i] = Part{Addr: f.addr, Data: c.File(t, f.name), Name: f.name}
			}
			got, err := Merge(opts, parts)
			if c.ExpectedError {
				if err == nil {
					t.Fatal("expected an error, got none")
				}
				if c.ErrorContains != "" && !strings.Contains(err.Error(), c.ErrorContains) {
					t.Errorf("error %q does not contain %q", err, c.ErrorContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := c.File(t, *c.Expected)
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s: got %d bytes, want %d (first difference at %d)",
					*c.Expected, len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
