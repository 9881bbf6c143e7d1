package outputs

import (
	"strings"
	"testing"
)

func TestFlashBarToScale(t *testing.T) {
	b := reportBundle()
	got := FlashBar(b.Regions, b.FlashBytes, 64)
	lines := strings.Split(got, "\n")
	// 4MB over 64 characters: 64K each. ota_0 is 0x40000-0x140000 (chars 4-19), ota_1
	// 0x140000-0x240000 (20-35), then free to the end; the first 64K is mostly
	// bootloader, at_customize 0x10000-0x30000 (chars 1-2) is other data; below it the
	// 16K mfg NVS outweighs the 4K nested table in char 1.
	want0 := "  |BDD." + strings.Repeat("A", 32) + strings.Repeat(".", 28) + "|"
	if lines[0] != want0 {
		t.Errorf("bar:\n%s\nwant\n%s", lines[0], want0)
	}
	// The nested table's partitions on the second line, inside their parent.
	if want1 := "↳ | N" + strings.Repeat(" ", 62) + "|"; lines[1] != want1 {
		t.Errorf("nested:\n%q\nwant\n%q", lines[1], want1)
	}
	if !strings.HasPrefix(lines[2], "  0x0") || !strings.HasSuffix(lines[2], "0x400000 (4M)") {
		t.Errorf("axis %q", lines[2])
	}
	if !strings.Contains(lines[3], "1 char = 64K") {
		t.Errorf("legend %q", lines[3])
	}
	if len(lines[0]) != len("  |")+64+1 {
		t.Errorf("bar is %d wide", len(lines[0]))
	}
}
