package outputs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostile path fragments: each breaks or hijacks an unquoted shell word.
const hostile = "my keys/it's \"fe\" $(touch pwned) `touch pwned` ; touch pwned \\ *"

// fakeTool records its name and argv, NUL-separated, one invocation per line, and
// for espsecure.py creates the output file the script later burns and removes.
const fakeTool = `#!/bin/sh
{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf '\0%s' "$a"; done; printf '\n'; } >> "$ARGV_LOG"
if [ "$(basename "$0")" = espsecure.py ]; then for a in "$@"; do last=$a; done; : > "$last"; fi
`

// runPlan writes the plan's script into a fresh manifest folder, runs it with shell
// sh, fake tools first on PATH, and returns the recorded invocations.
func runPlan(t *testing.T, shell string, p *EfusePlan, port string) (calls [][]string, work, dist string) {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		t.Skipf("%s not installed", shell)
	}
	root := t.TempDir()
	bin, work, dist := filepath.Join(root, "bin"), filepath.Join(root, "project"), filepath.Join(root, "out dir $(touch pwned)")
	for _, d := range []string{bin, work, dist} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"espefuse.py", "espsecure.py", "esptool.py"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(fakeTool), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(work, "efuse-plan.sh")
	if err := os.WriteFile(script, p.Script(), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(shell, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("%s -n efuse-plan.sh: %v\n%s", shell, err, out)
	}
	log := filepath.Join(root, "argv.log")
	cmd := exec.Command(shell, script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"ARGV_LOG="+log, "PORT="+port, "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s efuse-plan.sh: %v\n%s\n%s", shell, err, out, p.Script())
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		calls = append(calls, strings.Split(line, "\x00"))
	}
	for _, d := range []string{root, bin, work, dist} {
		if _, err := os.Stat(filepath.Join(d, "pwned")); err == nil {
			t.Errorf("efuse-plan.sh ran a command hidden in a path (pwned in %s):\n%s", d, p.Script())
		}
	}
	return calls, work, dist
}

func TestEfusePlanScriptQuotesPaths(t *testing.T) {
	port := "/dev/tty USB0 $(touch pwned)"
	fe, hmac, pub := "keys/"+hostile+".bin", "-"+hostile+" hmac.bin", "keys/"+hostile+".pub.pem"
	xts := &EfusePlan{Chip: "esp32c3",
		FlashEncryption: &EfuseFlashEncryption{KeyFile: fe, KeyBytes: 32, Release: true},
		SecureBoot:      &EfuseSecureBoot{Version: 2, PublicKeys: []string{pub}, Digests: []string{"ab"}},
		NVSHMACKeyFile:  hmac, FlashArgs: "flash args 'x'"}
	sbKey := "keys/" + hostile + ".pem"
	esp32 := &EfusePlan{Chip: "esp32",
		FlashEncryption: &EfuseFlashEncryption{KeyFile: fe, KeyBytes: 32},
		SecureBoot:      &EfuseSecureBoot{Version: 1, SigningKey: sbKey}}
	esp32v2 := &EfusePlan{Chip: "esp32",
		SecureBoot: &EfuseSecureBoot{Version: 2, PublicKeys: []string{pub}, Digests: []string{"ab"}}}
	efuse := func(chip string, args ...string) []string {
		return append([]string{"espefuse.py", "--chip", chip, "--port", port}, args...)
	}
	for _, shell := range []string{"bash", "sh"} {
		t.Run(shell, func(t *testing.T) {
			calls, _, dist := runPlan(t, shell, xts, port)
			want := [][]string{
				{"esptool.py", "--chip", "esp32c3", "--port", port, "write_flash", "@flash args 'x'"},
				efuse("esp32c3", "burn_key", "BLOCK_KEY0", fe, "XTS_AES_128_KEY"),
				efuse("esp32c3", "burn_key_digest", "BLOCK_KEY1", dist+"/"+pub, "SECURE_BOOT_DIGEST0"),
				efuse("esp32c3", "burn_key", "BLOCK_KEY2", "./"+hmac, "HMAC_UP"), // never an option
				efuse("esp32c3", "burn_efuse", "SPI_BOOT_CRYPT_CNT", "7"),
				efuse("esp32c3", "burn_efuse", "SECURE_BOOT_EN", "1"),
				efuse("esp32c3", "burn_efuse", "DIS_DOWNLOAD_MANUAL_ENCRYPT", "1", "DIS_DOWNLOAD_ICACHE", "1",
					"DIS_PAD_JTAG", "1", "DIS_USB_JTAG", "1", "DIS_DIRECT_BOOT", "1", "SOFT_DIS_JTAG", "7"),
				efuse("esp32c3", "write_protect_efuse", "DIS_ICACHE", "RD_DIS"),
				efuse("esp32c3", "burn_efuse", "ENABLE_SECURITY_DOWNLOAD", "1"),
			}
			checkCalls(t, calls, want)

			calls, work, _ := runPlan(t, shell, esp32, port)
			want = [][]string{
				{"esptool.py", "--chip", "esp32", "--port", port, "write_flash", "@flash_args"},
				efuse("esp32", "burn_key", "flash_encryption", fe),
				{"espsecure.py", "digest_private_key", "--keyfile", sbKey, "--keylen", "256", "secure-bootloader-key.bin"},
				efuse("esp32", "burn_key", "secure_boot_v1", "secure-bootloader-key.bin"),
				efuse("esp32", "burn_efuse", "FLASH_CRYPT_CONFIG", "0x0"),
				efuse("esp32", "burn_efuse", "FLASH_CRYPT_CNT", "1"),
				efuse("esp32", "burn_efuse", "ABS_DONE_0", "1"),
				efuse("esp32", "burn_efuse", "JTAG_DISABLE", "1", "CONSOLE_DEBUG_DISABLE", "1"),
			}
			checkCalls(t, calls, want)
			if _, err := os.Stat(filepath.Join(work, "secure-bootloader-key.bin")); err == nil {
				t.Error("the derived secure boot key was left on disk")
			}

			calls, _, dist = runPlan(t, shell, esp32v2, port)
			checkCalls(t, calls[1:], [][]string{
				efuse("esp32", "burn_key_digest", dist+"/"+pub),
				efuse("esp32", "burn_efuse", "ABS_DONE_1", "1"),
				efuse("esp32", "burn_efuse", "JTAG_DISABLE", "1", "CONSOLE_DEBUG_DISABLE", "1"),
				efuse("esp32", "write_protect_efuse", "RD_DIS"),
			})
		})
	}
}

func checkCalls(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("script ran %d commands, want %d:\n%q", len(got), len(want), got)
	}
	for i := range want {
		if strings.Join(got[i], "\x00") != strings.Join(want[i], "\x00") {
			t.Errorf("command %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
}

// TestEfusePlanMarkdownShowsScript: the reviewed plan shows each command exactly as the
// script runs it, in fenced blocks a hostile path cannot close, and names each public
// key in a code span its backticks cannot end early.
func TestEfusePlanMarkdownShowsScript(t *testing.T) {
	pub := "keys/" + hostile + "``x`.pub.pem"
	p := &EfusePlan{Chip: "esp32c3",
		FlashEncryption: &EfuseFlashEncryption{KeyFile: "keys/" + hostile + "```.bin", KeyBytes: 32},
		SecureBoot:      &EfuseSecureBoot{Version: 2, PublicKeys: []string{pub}, Digests: []string{"ab"}}}
	md := string(p.Markdown())
	var shown []string
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		fence, ok := strings.CutSuffix(lines[i], "sh")
		if !ok || len(fence) < 3 || strings.Trim(fence, "`") != "" {
			continue
		}
		for i++; i < len(lines) && lines[i] != fence; i++ {
			if strings.HasPrefix(lines[i], "```") && strings.Trim(lines[i], "`") == "" && len(lines[i]) >= len(fence) {
				t.Fatalf("line %q would close the fence %q", lines[i], fence)
			}
			shown = append(shown, lines[i])
		}
	}
	var run []string
	for _, line := range strings.Split(string(p.Script()), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && (strings.HasPrefix(line, "efuse ") || strings.HasPrefix(line, "(cd ")) {
			run = append(run, line)
		}
	}
	if strings.Join(shown, "\n") != strings.Join(run, "\n") || len(run) == 0 {
		t.Errorf("efuse-plan.md shows\n%s\nthe script runs\n%s", strings.Join(shown, "\n"), strings.Join(run, "\n"))
	}
	span := codeSpan("$DIST/" + pub)
	fence := span[:strings.IndexFunc(span, func(r rune) bool { return r != '`' })]
	inner := strings.TrimSuffix(strings.TrimPrefix(span, fence), fence)
	if strings.Contains(inner, fence) || inner != "$DIST/"+pub {
		t.Errorf("code span %s does not show %q verbatim", span, "$DIST/"+pub)
	}
	if !strings.Contains(md, "- key 0 ("+span+"): `ab`") {
		t.Errorf("digest list lacks %s:\n%s", span, md)
	}
	if !bytes.Contains(p.Script(), []byte("'\\''")) {
		t.Error("a single quote in a path must be written '\\''")
	}
}
