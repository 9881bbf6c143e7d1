package outputs

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Flash map geometry. The bar is a nested <svg> whose user unit is one KiB of flash
// along x, so a region's rect has x = offset/1024 and width = size/1024 exactly (a
// reader can check the drawing against the table); one row per nesting depth.
const (
	svgWidth   = 1200
	svgMargin  = 10
	svgRowH    = 34
	svgBarH    = 28
	svgLegendH = 18
)

// svgStyle is inline so the file needs nothing else; colours follow the region's
// kind, hatching marks encryption and a dark outline marks a signed image.
const svgStyle = `
text{font:12px sans-serif;fill:#222}
.region{stroke:#333;stroke-width:1px;vector-effect:non-scaling-stroke}
.t-bootloader{fill:#4e79a7}.t-table{fill:#bab0ac}.t-app{fill:#59a14f}.t-otadata{fill:#f28e2b}
.t-nvs{fill:#edc948}.t-fs{fill:#76b7b2}.t-other{fill:#af7aa1}
.free{fill:#fff;stroke:#999;stroke-dasharray:4 3;stroke-width:1px;vector-effect:non-scaling-stroke}
.enc{fill:url(#enc);pointer-events:none}
.signed{fill:none;stroke:#8b0000;stroke-width:3px;vector-effect:non-scaling-stroke;pointer-events:none}
`

// flashMapSVG renders dist/flash-map.svg: every region to scale, nested tables on
// rows below their parent, free space dashed, encrypted regions hatched and signed
// ones outlined, then a legend naming each. No scripts, fonts or external references.
func flashMapSVG(b *Bundle) []byte {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	writeFlashMapSVG(&buf, b)
	return buf.Bytes()
}

// writeFlashMapSVG writes the <svg> element alone, as report.html inlines it.
func writeFlashMapSVG(buf *bytes.Buffer, b *Bundle) {
	end, rows := mapExtent(b)
	free := freeSpace(b)
	legend := len(b.Regions) + len(free)
	barH := rows * svgRowH
	height := 30 + barH + 20 + legend*svgLegendH + 30
	w := svgWidth - 2*svgMargin
	fmt.Fprintf(buf, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="flash map">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(buf, "<title>Flash map of %s (%s)</title>\n", xmlText(b.Chip), xmlText(b.FlashSize))
	fmt.Fprintf(buf, "<style>%s</style>\n", svgStyle)
	buf.WriteString(`<defs><pattern id="enc" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="8" height="8" fill="none"/><line x1="0" y1="0" x2="0" y2="8" stroke="#000" stroke-opacity="0.45" stroke-width="3"/></pattern></defs>` + "\n")
	fmt.Fprintf(buf, `<text x="%d" y="20">0x0</text><text x="%d" y="20" text-anchor="end">%s (%s)</text>`+"\n",
		svgMargin, svgWidth-svgMargin, hex32(end), sizeText(end))
	fmt.Fprintf(buf, `<svg class="bar" x="%d" y="30" width="%d" height="%d" viewBox="0 0 %s %d" preserveAspectRatio="none">`+"\n",
		svgMargin, w, barH, kib(end), barH)
	for _, f := range free {
		fmt.Fprintf(buf, `<rect class="free" data-offset="%s" data-size="%s" x="%s" y="0" width="%s" height="%d"><title>free %s at %s</title></rect>`+"\n",
			hex32(f.Offset), hex32(f.Size), kib(f.Offset), kib(f.Size), svgBarH, sizeText(f.Size), hex32(f.Offset))
	}
	for _, r := range b.Regions {
		y := r.Depth * svgRowH
		geo := fmt.Sprintf(`x="%s" y="%d" width="%s" height="%d"`, kib(r.Offset), y, kib(r.Size), svgBarH)
		fmt.Fprintf(buf, `<rect class="region t-%s" data-name="%s" data-offset="%s" data-size="%s" data-encrypted="%s" data-signed="%t" %s><title>%s</title></rect>`+"\n",
			r.typeClass(), xmlAttr(r.Name), hex32(r.Offset), hex32(r.Size), r.encryption(), r.Signed, geo, xmlText(regionLine(r)))
		if r.encrypted() {
			fmt.Fprintf(buf, `<rect class="enc" %s/>`+"\n", geo)
		}
		if r.Signed {
			fmt.Fprintf(buf, `<rect class="signed" %s/>`+"\n", geo)
		}
	}
	buf.WriteString("</svg>\n")
	y := 30 + barH + 20
	for _, r := range b.Regions {
		fmt.Fprintf(buf, `<rect class="region t-%s" x="%d" y="%d" width="14" height="12"/>`, r.typeClass(), svgMargin+r.Depth*16, y)
		if r.encrypted() {
			fmt.Fprintf(buf, `<rect class="enc" x="%d" y="%d" width="14" height="12"/>`, svgMargin+r.Depth*16, y)
		}
		fmt.Fprintf(buf, `<text x="%d" y="%d">%s</text>`+"\n", svgMargin+r.Depth*16+20, y+11, xmlText(regionLine(r)))
		y += svgLegendH
	}
	for _, f := range free {
		fmt.Fprintf(buf, `<rect class="free" x="%d" y="%d" width="14" height="12"/><text x="%d" y="%d">free  %s  %s</text>`+"\n",
			svgMargin, y, svgMargin+20, y+11, hex32(f.Offset), sizeText(f.Size))
		y += svgLegendH
	}
	fmt.Fprintf(buf, `<text x="%d" y="%d">hatched: encrypted on the device · dark outline: signed (Secure Boot) · dashed: free</text>`+"\n", svgMargin, y+14)
	buf.WriteString("</svg>\n")
}

// mapExtent is the flash the map spans (the flash size, or the end of the last
// region when that is unknown or smaller) and how many nesting rows it needs.
func mapExtent(b *Bundle) (end uint32, rows int) {
	end, rows = b.FlashBytes, 1
	for _, r := range b.Regions {
		if e := r.Offset + r.Size; e > end {
			end = e
		}
		if r.Depth+1 > rows {
			rows = r.Depth + 1
		}
	}
	if end == 0 {
		end = 1
	}
	return end, rows
}

// regionLine is a region in one line of text, for tooltips and the legend.
func regionLine(r Region) string {
	s := fmt.Sprintf("%s  %s  %s  %s", r.Name, hex32(r.Offset), sizeText(r.Size), r.Type)
	if r.encrypted() {
		s += "  encrypted (" + r.encryption() + ")"
	}
	if r.Signed {
		s += "  signed"
	}
	return s
}

// kib is a byte count in KiB, exact: every float64 of a 32-bit count over 1024 is.
func kib(v uint32) string { return strconv.FormatFloat(float64(v)/1024, 'f', -1, 64) }

func xmlText(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

// xmlAttr is xmlText; EscapeText also escapes quotes, so it is safe in an attribute.
func xmlAttr(s string) string { return xmlText(s) }
