package nvs

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// toolArgs is the nvs_partition_gen command line of a case.
type toolArgs struct {
	mode         string
	inputs       []string
	output, size string
	version      int
	inputKey     string
	keygen, hmac bool
	hmacInputKey string
	keyFile      string
}

func parseToolArgs(t *testing.T, argv []string) toolArgs {
	t.Helper()
	i := 0
	for i < len(argv) && !strings.Contains(argv[i], "nvs_partition_gen") {
		i++
	}
	argv = argv[i+1:]
	a := toolArgs{mode: argv[0], version: 2}
	var pos []string
	for j := 1; j < len(argv); j++ {
		switch argv[j] {
		case "--version":
			j++
			a.version, _ = strconv.Atoi(argv[j])
		case "--inputkey":
			j++
			a.inputKey = argv[j]
		case "--keygen":
			a.keygen = true
		case "--key_protect_hmac":
			a.hmac = true
		case "--kp_hmac_inputkey":
			j++
			a.hmacInputKey = argv[j]
		case "--keyfile":
			j++
			a.keyFile = argv[j]
		case "--outdir":
			j++
		default:
			if strings.HasPrefix(argv[j], "--") {
				t.Fatalf("unsupported flag %s", argv[j])
			}
			pos = append(pos, argv[j])
		}
	}
	if a.mode == "generate" || a.mode == "encrypt" {
		if len(pos) < 3 {
			t.Fatalf("bad argv %q", argv)
		}
		a.inputs, a.output, a.size = pos[:len(pos)-2], pos[len(pos)-2], pos[len(pos)-1]
	}
	return a
}

// runTool performs the case's command with this package; it returns the
// partition image and the key partition (when the command makes one).
func runTool(t *testing.T, c conformance.Case, a toolArgs) (img, keys []byte, part *Partition, k *Keys, err error) {
	files := os.DirFS(c.Dir)
	if a.mode == "generate-key" || (a.mode == "encrypt" && a.keygen) {
		var kk Keys
		if a.hmac {
			kk, err = DeriveHMACKeys(c.File(t, a.hmacInputKey))
		} else {
			return nil, nil, nil, nil, fmt.Errorf("random key generation has no reference vector")
		}
		if err != nil {
			return nil, nil, nil, nil, err
		}
		keys = kk.MarshalPartition()
		k = &kk
		if a.mode == "generate-key" {
			return nil, keys, nil, nil, nil
		}
	}
	if a.inputKey != "" {
		kk, err := ParseKeyPartition(c.File(t, a.inputKey))
		if err != nil {
			return nil, nil, nil, nil, err
		}
		k = &kk
	}
	im := NewCSVImporter(files)
	for _, in := range a.inputs {
		if err := im.Add(bytes.NewReader(c.File(t, in)), in); err != nil {
			return nil, keys, nil, nil, err
		}
	}
	size, err := strconv.ParseUint(a.size, 0, 32)
	if err != nil {
		return nil, keys, nil, nil, err
	}
	img, err = Encode(im.Partition(), Options{Size: uint32(size), Version: a.version, Keys: k})
	return img, keys, im.Partition(), k, err
}

func TestConformanceNVS(t *testing.T) {
	for _, c := range conformance.Load(t, "nvs") {
		t.Run(c.Name, func(t *testing.T) {
			a := parseToolArgs(t, c.Command)
			img, keys, part, k, err := runTool(t, c, a)
			if c.ExpectedError {
				if err == nil {
					t.Fatalf("want error containing %q, got none", c.ErrorContains)
				}
				if !strings.Contains(err.Error(), c.ErrorContains) {
					t.Fatalf("error %q does not contain %q", err, c.ErrorContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ExpectedKeys != "" {
				if want := c.File(t, c.ExpectedKeys); !bytes.Equal(keys, want) {
					t.Fatalf("key partition differs")
				}
			}
			if a.mode == "generate-key" {
				return
			}
			want := c.File(t, *c.Expected)
			if !bytes.Equal(img, want) {
				t.Fatalf("image differs: got %d bytes, want %d; first difference at %#x", len(img), len(want), firstDiff(img, want))
			}
			checkDecode(t, c, img, part, k, a)
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
