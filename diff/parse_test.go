package diff

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/outputs"
)

// TestParseEfusePlan reads back plans written by outputs.EfusePlan, the writer of
// efuse-plan.md, so the parser follows the real format.
func TestParseEfusePlan(t *testing.T) {
	d0, d1 := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	plan := &outputs.EfusePlan{
		Chip:            "esp32c3",
		FlashEncryption: &outputs.EfuseFlashEncryption{KeyFile: "keys/it's a key.bin", KeyBytes: 32, Release: true},
		SecureBoot:      &outputs.EfuseSecureBoot{Version: 2, PublicKeys: []string{"keys/a.pem", "keys/b.pem"}, Digests: []string{d0, d1}},
		FlashArgs:       "flash_args",
	}
	md := string(plan.Markdown())
	steps, digests := parseEfusePlan(md)
	if len(digests) != 2 || digests[0] != d0 || digests[1] != d1 {
		t.Errorf("digests %q", digests)
	}
	titles := map[string]string{}
	for _, s := range steps {
		titles[s.Title] = s.Commands
	}
	if got := titles["Burn the flash encryption key"]; got != `efuse burn_key BLOCK_KEY0 'keys/it'\''s a key.bin' XTS_AES_128_KEY` {
		t.Errorf("flash encryption step %q", got)
	}
	if len(steps) != strings.Count(md, "\n### ") {
		t.Errorf("%d steps of %d headings", len(steps), strings.Count(md, "\n### "))
	}
	keys := []outputs.KeyRef{{Name: "flash", Algorithm: "xts-aes-128", File: "keys/it's a key.bin", Fingerprint: "f00d"}}
	fe, sb := security(steps, md, keys)
	if fe == nil || fe.Scheme != "xts-aes-128 XTS_AES_128_KEY" || fe.Key != "f00d" || sb != "v2" {
		t.Errorf("security %+v %q", fe, sb)
	}
	// ESP32: the crypt config is part of the scheme.
	esp32 := &outputs.EfusePlan{Chip: "esp32", FlashEncryption: &outputs.EfuseFlashEncryption{KeyFile: "k.bin", KeyBytes: 32, CryptConfig: 0xf}}
	md = string(esp32.Markdown())
	steps, _ = parseEfusePlan(md)
	fe, _ = security(steps, md, []outputs.KeyRef{{Name: "flash", Algorithm: "aes-256", File: "k.bin", Fingerprint: "beef"}})
	if fe == nil || fe.Scheme != "aes-256 FLASH_CRYPT_CONFIG=0xF" || fe.Key != "beef" {
		t.Errorf("esp32 security %+v", fe)
	}
}

func TestShellWords(t *testing.T) {
	got := shellWords(`efuse burn_key_digest BLOCK_KEY1 "$DIST"/'a b'\''c' SECURE_BOOT_DIGEST0`)
	want := []string{"efuse", "burn_key_digest", "BLOCK_KEY1", "$DIST/a b'c", "SECURE_BOOT_DIGEST0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%q", got)
	}
}

// TestLoadBuildBadInput: a build directory that cannot be trusted is an error on the
// file and line at fault, never a difference.
func TestLoadBuildBadInput(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"not a build", map[string]string{"x": "y"}, "/d/build.json: file does not exist"},
		{"build.json not JSON", map[string]string{"build.json": "{\n  \"tool\": \"espcompose\",\n  oops\n}\n"}, "/d/build.json:3: invalid character"},
		{"bad SHA256SUMS line", map[string]string{"SHA256SUMS": sumLine("build.json", "{}") + "nonsense\n", "build.json": "{}"}, "/d/SHA256SUMS:2: expected"},
		{"file changed", map[string]string{"SHA256SUMS": sumLine("build.json", "{}"), "build.json": "{ }"}, "/d/SHA256SUMS:1: build.json does not match its sha256"},
		{"file missing", map[string]string{"SHA256SUMS": sumLine("build.json", "{}")}, "/d/SHA256SUMS:1: build.json: file does not exist"},
		{"another tool", map[string]string{"SHA256SUMS": sumLine("build.json", `{"tool":"x"}`), "build.json": `{"tool":"x"}`}, `/d/build.json: tool is "x"`},
		{"flash map names a file not built", map[string]string{"build.json": `{"tool":"espcompose","flash_map":[{"name":"nvs","offset":"0x9000","size":"0x6000","type":"data/nvs","file":"partitions/nvs.bin"}],"outputs":[]}`},
			"/d/build.json:1: flash_map names partitions/nvs.bin, which is not in the build"},
		{"output path escapes", map[string]string{"build.json": `{"tool":"espcompose","outputs":[{"path":"../x","sha256":""}]}`}, `output "../x" is not a path inside the build`},
	}
	for _, c := range cases {
		fs := afero.NewMemMapFs()
		_ = fs.MkdirAll("/d", 0o755)
		for n, d := range c.files {
			_ = afero.WriteFile(fs, "/d/"+n, []byte(d), 0o644)
		}
		_, err := LoadBuild(fs, "/d")
		var ie *InputError
		if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an InputError with %q", c.name, err, c.want)
		}
	}
}

func sumLine(name, data string) string { return sha256hex([]byte(data)) + "  " + name + "\n" }

func TestMarkdownCellsStayInTheirColumn(t *testing.T) {
	r := &Report{SchemaVersion: 1, Changes: []Change{{Kind: "efuse.step_changed", Subject: "a|b", Before: "x\ny", After: "<b>", Severity: Breaking, Why: `c\d`}}}
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| **breaking** | efuse.step_changed | a\\|b | x<br>y | &lt;b> | c\\\\d |\n") {
		t.Errorf("%s", b.String())
	}
}

// TestKindsDocumented: every kind the code reports is in Kinds, and docs/diff.md
// documents each one.
func TestKindsDocumented(t *testing.T) {
	known := map[string]bool{}
	for _, k := range Kinds {
		known[k] = true
	}
	seen := map[string]bool{}
	re := regexp.MustCompile(`Kind: "([a-z0-9_.]+)"`)
	for _, f := range []string{"compare.go", "compare_contents.go", "compare_security.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if !known[m[1]] {
				t.Errorf("%s reports kind %s, which Kinds does not list", f, m[1])
			}
			seen[m[1]] = true
		}
	}
	for k := range known {
		if seen[k] {
			continue
		}
		t.Errorf("Kinds lists %s, which no comparison reports", k)
	}
	doc, err := os.ReadFile("../docs/diff.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("docs/diff.md does not document %s", k)
		}
	}
	if !strings.Contains(string(doc), "## JSON schema, version 1") || SchemaVersion != 1 {
		t.Error("docs/diff.md documents another schema version")
	}
}
