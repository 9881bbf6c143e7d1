package nvs

import (
	"bytes"
	"fmt"
	mathrand "math/rand/v2"
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
	random       bool // keys drawn at random: no byte vector to compare
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
func runTool(t *testing.T, c conformance.Case, a *toolArgs) (img, keys []byte, part *Partition, k *Keys, err error) {
	files := os.DirFS(c.Dir)
	if a.mode == "encrypt" && a.keygen == (a.inputKey != "") {
		return nil, nil, nil, nil, fmt.Errorf("Error. exactly one of --keygen or --inputkey argument needed.")
	}
	if a.mode == "generate-key" || (a.mode == "encrypt" && a.keygen) {
		var kk Keys
		if a.hmac && a.hmacInputKey != "" {
			kk, err = DeriveHMACKeys(c.File(t, a.hmacInputKey))
		} else {
			// The reference draws random keys here; any source will do
			// since such a case cannot carry a byte vector.
			a.random = true
			kk, err = GenerateKeys(mathrand.NewChaCha8([32]byte{1}))
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
			img, keys, part, k, err := runTool(t, c, &a)
			checkStreamed(t, c, a, k)
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
			if a.random {
				if _, err := ParseKeyPartition(keys); err != nil {
					t.Fatal(err)
				}
				if a.mode != "generate-key" {
					checkDecode(t, c, img, part, k, a)
				}
				return
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

// checkStreamed runs the case's import and layout streamed, as `espcompose nvs
// encode` does, against importing first and encoding after.
func checkStreamed(t *testing.T, c conformance.Case, a toolArgs, k *Keys) {
	t.Helper()
	size, err := strconv.ParseUint(a.size, 0, 32)
	if len(a.inputs) == 0 || err != nil {
		return
	}
	var inputs []csvInput
	for _, in := range a.inputs {
		inputs = append(inputs, csvInput{in, c.File(t, in)})
	}
	if err := sameAsEncode(os.DirFS(c.Dir), inputs, Options{Size: uint32(size), Version: a.version, Keys: k}); err != nil {
		t.Error(err)
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
