package outputs

import (
	"fmt"
	"strings"
)

// barLetters are the flash bar's letters per kind of region, as in the SVG's colours.
var barLetters = map[string]byte{
	"bootloader": 'B', "table": 'T', "app": 'A', "otadata": 'O', "nvs": 'N', "fs": 'F', "other": 'D',
}

// FlashBar draws the flash map to scale in text, for `espcompose plan`: one line per
// nesting depth, width characters wide, each character showing the kind of region
// that covers most of its share of flash ('.' for free, ' ' outside a nested
// table's parent), then an axis and a legend. Regions smaller than a character only
// show where they are the largest in theirs; the table above lists them all.
func FlashBar(regions []Region, flashBytes uint32, width int) string {
	if width < 8 {
		width = 8
	}
	b := &Bundle{FlashBytes: flashBytes, Regions: regions}
	end, rows := mapExtent(b)
	cell := float64(end) / float64(width)
	var sb strings.Builder
	for depth := 0; depth < rows; depth++ {
		line := make([]byte, width)
		for i := range line {
			lo, hi := float64(i)*cell, float64(i+1)*cell
			best, bestCover := byte(' '), 0.0
			if depth == 0 {
				best = '.'
			}
			for _, r := range regions {
				if r.Depth != depth {
					continue
				}
				cover := min(hi, float64(r.Offset)+float64(r.Size)) - max(lo, float64(r.Offset))
				if cover > bestCover {
					best, bestCover = barLetters[r.typeClass()], cover
				}
			}
			line[i] = best
		}
		indent := "  "
		if depth > 0 {
			indent = "↳ " // partitions of a nested table, inside their parent
		}
		fmt.Fprintf(&sb, "%s|%s|\n", indent, line)
	}
	left, right := "0x0", fmt.Sprintf("%s (%s)", hex32(end), sizeText(end))
	pad := max(1, width+2-len(left)-len(right))
	fmt.Fprintf(&sb, "  %s%s%s\n", left, strings.Repeat(" ", pad), right)
	fmt.Fprintf(&sb, "  B bootloader  T table  A app  O otadata  N nvs  F filesystem  D other  . free;  1 char = %s\n", sizeText(uint32(cell+0.5)))
	return sb.String()
}
