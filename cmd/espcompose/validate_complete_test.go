package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/testimage"
)

// brokenManifestCases are manifests of ../../planner/testdata/broken whose problem build used
// to find only while running (or never): each must now stop validate and build alike.
var brokenManifestCases = []string{
	"header_missing", "header_version",
	"key_xts128_empty", "key_xts128_31", "key_xts256_short", "key_derived_long", "key_aes256_short",
	"key_unused_short", "key_create_existing_bad", "key_create_p192",
	"flash_alg_not_on_chip", "flash_alg_xts256_c3", "flash_alg_aes128_c2",
	"sign_rsa2048", "sign_p521", "sign_ed25519", "sign_wrong_curve", "sign_public_only", "sign_not_pem",
	"pubkey_wrong_curve", "pubkey_rsa_for_ec", "pubkey_private",
	"nvs_keys_bad_crc", "nvs_keys_short", "nvs_hmac_short",
	"dup_ota_subtype", "dup_subtype_nested", "readonly_otadata", "nvs_small_rw", "two_otadata", "app_size_misaligned",
	"ota_package_key", "nvs_csv_bad", "nvs_too_big", "nvs_value_range",
}

var wantComment = regexp.MustCompile(`#\s*want:\s*(.+)$`)

// badInputFS holds one broken manifest with the images and key files it names.
func badInputFS(t *testing.T, name string) (afero.Fs, int, string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("../../planner/testdata/broken", name+".hcl"))
	if err != nil {
		t.Fatal(err)
	}
	fs := afero.NewMemMapFs()
	put := func(path string, data []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fs, path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("/p/espcompose.hcl", src, nil)
	app, err := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "demo", Version: "1.0.0"})
	put("/p/images/c3-app.bin", app, err)
	big, err := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "demo", Version: "1.0.0", CodeSize: 0x20000})
	put("/p/images/big-app.bin", big, err)
	keys, _ := filepath.Glob("../../planner/testdata/keys/*")
	for _, k := range keys {
		data, err := os.ReadFile(k)
		put("/p/keys/"+filepath.Base(k), data, err)
	}
	for i, line := range strings.Split(string(src), "\n") {
		if m := wantComment.FindStringSubmatch(line); m != nil {
			return fs, i + 1, strings.TrimSpace(m[1])
		}
	}
	t.Fatalf("%s has no want comment", name)
	return nil, 0, ""
}

// listFiles is every path on fs with its size, to show nothing was created or changed.
func listFiles(t *testing.T, fs afero.Fs) []string {
	t.Helper()
	var out []string
	_ = afero.Walk(fs, "/", func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		data := ""
		if !info.IsDir() {
			b, _ := afero.ReadFile(fs, path)
			data = string(b)
		}
		out = append(out, path+"\x00"+data)
		return nil
	})
	sort.Strings(out)
	return out
}

func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestValidateFindsWhatBuildRejects: for every bad input, validate exits 2 naming the
// manifest line, and build stops at plan time with the same diagnostic, exit 2 and no
// file written: no output folder, no cache, no created key.
func TestValidateFindsWhatBuildRejects(t *testing.T) {
	for _, name := range brokenManifestCases {
		t.Run(name, func(t *testing.T) {
			fs, line, want := badInputFS(t, name)
			at := flat("on /p/espcompose.hcl line " + strconv.Itoa(line))
			for _, args := range [][]string{
				{"validate", "-f", "/p/espcompose.hcl"},
				{"plan", "-f", "/p/espcompose.hcl"},
				{"build", "-f", "/p/espcompose.hcl", "-o", "/p/dist"},
			} {
				before := listFiles(t, fs)
				code, _, stderr := runCLI(t, fs, nil, args...)
				if code != 2 {
					t.Errorf("%s: exit %d, want 2; stderr:\n%s", args[0], code, stderr)
				}
				got := flat(stderr)
				if !strings.Contains(got, at) || !strings.Contains(got, flat(want)) {
					t.Errorf("%s: stderr lacks %q at %q:\n%s", args[0], want, at, stderr)
				}
				if after := listFiles(t, fs); strings.Join(after, "\n") != strings.Join(before, "\n") {
					t.Errorf("%s wrote files:\n%s", args[0], diffNames(before, after))
				}
			}
		})
	}
}

func diffNames(before, after []string) string {
	seen := map[string]bool{}
	for _, b := range before {
		seen[b] = true
	}
	var out []string
	for _, a := range after {
		if !seen[a] {
			out = append(out, "  + "+strings.SplitN(a, "\x00", 2)[0])
		}
	}
	return strings.Join(out, "\n")
}

// TestVarOneDash: -var works with one dash, as the README writes it, in both spellings,
// and --var keeps working.
func TestVarOneDash(t *testing.T) {
	src := `espcompose { version = 1 }
variable "region" {
  type = string
}
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "24K"
}
`
	for _, args := range [][]string{
		{"validate", "-f", "/p/espcompose.hcl", "-var", "region=eu868"},
		{"validate", "-f", "/p/espcompose.hcl", "-var=region=eu868"},
		{"-var", "region=eu868", "validate", "-f", "/p/espcompose.hcl"},
		{"validate", "-f", "/p/espcompose.hcl", "--var", "region=eu868"},
		{"validate", "-f", "/p/espcompose.hcl", "--var=region=eu868"},
	} {
		fs := afero.NewMemMapFs()
		_ = afero.WriteFile(fs, "/p/espcompose.hcl", []byte(src), 0o644)
		code, stdout, stderr := runCLI(t, fs, nil, args...)
		if code != 0 || !strings.Contains(stdout, "is valid") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	// Without the value the variable is still required: the flag really was read.
	fs := afero.NewMemMapFs()
	_ = afero.WriteFile(fs, "/p/espcompose.hcl", []byte(src), 0o644)
	if code, _, stderr := runCLI(t, fs, nil, "validate", "-f", "/p/espcompose.hcl"); code != 2 || !strings.Contains(stderr, "No value for required variable") {
		t.Errorf("without -var: exit %d\n%s", code, stderr)
	}
	// Only -var is rewritten: other single-dash words keep their meaning.
	if got := normalizeVarFlag([]string{"-v", "-var", "a=1", "-var=b=2", "--", "-var"}); strings.Join(got, " ") != "-v --var a=1 --var=b=2 -- -var" {
		t.Errorf("normalizeVarFlag: %q", got)
	}
}
