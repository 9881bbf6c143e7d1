package outputs

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgRect is a <rect> of flash-map.svg with the attributes the map is drawn from.
type svgRect struct {
	Class, Name, Offset, Size string
	X, Y, W                   float64
	InBar                     bool
}

// parseMap reads every <rect> with encoding/xml, noting whether it is inside the
// scaled bar (the nested <svg>), and fails on anything that refers outside the file.
func parseMap(t *testing.T, data []byte) []svgRect {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth := 0
	var rects []svgRect
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("flash-map.svg is not XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range el.Attr {
				attr[a.Name.Local] = a.Value
				if a.Name.Local == "href" || (strings.Contains(a.Value, "url(") && !strings.Contains(a.Value, "url(#")) {
					t.Errorf("external reference %s=%q", a.Name.Local, a.Value)
				}
			}
			switch el.Name.Local {
			case "svg":
				depth++
			case "script", "image", "foreignObject", "use":
				t.Errorf("<%s> in the flash map", el.Name.Local)
			case "rect":
				num := func(k string) float64 {
					v, _ := strconv.ParseFloat(attr[k], 64)
					return v
				}
				rects = append(rects, svgRect{Class: attr["class"], Name: attr["data-name"], Offset: attr["data-offset"], Size: attr["data-size"],
					X: num("x"), Y: num("y"), W: num("width"), InBar: depth == 2})
			}
		case xml.EndElement:
			if el.Name.Local == "svg" {
				depth--
			}
		}
	}
	return rects
}

func TestFlashMapSVGToScale(t *testing.T) {
	b := reportBundle()
	data := renderReports(t, b)["flash-map.svg"].Data
	rects := parseMap(t, data)
	byName := map[string]svgRect{}
	overlays := map[string]int{}
	for _, r := range rects {
		if !r.InBar {
			continue
		}
		if strings.HasPrefix(r.Class, "region ") {
			byName[r.Name] = r
		}
		if r.Class == "enc" || r.Class == "signed" {
			overlays[r.Class+"@"+strconv.FormatFloat(r.X, 'f', -1, 64)+"/"+strconv.FormatFloat(r.Y, 'f', -1, 64)]++
		}
	}
	for _, reg := range b.Regions {
		r, ok := byName[reg.Name]
		if !ok {
			t.Errorf("no rect for %s", reg.Name)
			continue
		}
		// One user unit of the bar is one KiB of flash.
		if uint32(r.X*1024) != reg.Offset || uint32(r.W*1024) != reg.Size {
			t.Errorf("%s: x=%v width=%v, want offset 0x%x size 0x%x", reg.Name, r.X, r.W, reg.Offset, reg.Size)
		}
		if r.Y != float64(reg.Depth*svgRowH) {
			t.Errorf("%s: row y=%v, want depth %d", reg.Name, r.Y, reg.Depth)
		}
		if r.Offset != hex32(reg.Offset) || r.Size != hex32(reg.Size) {
			t.Errorf("%s: data-offset %s data-size %s", reg.Name, r.Offset, r.Size)
		}
		key := func(c string) string {
			return c + "@" + strconv.FormatFloat(r.X, 'f', -1, 64) + "/" + strconv.FormatFloat(r.Y, 'f', -1, 64)
		}
		if got := overlays[key("enc")] > 0; got != reg.encrypted() {
			t.Errorf("%s: hatched %v, encrypted %v", reg.Name, got, reg.encrypted())
		}
		if got := overlays[key("signed")] > 0; got != reg.Signed {
			t.Errorf("%s: outlined %v, signed %v", reg.Name, got, reg.Signed)
		}
	}
	var free []string
	for _, r := range rects {
		if r.InBar && r.Class == "free" {
			free = append(free, r.Offset+"+"+r.Size)
			if o, _ := strconv.ParseUint(strings.TrimPrefix(r.Offset, "0x"), 16, 32); uint32(r.X*1024) != uint32(o) {
				t.Errorf("free rect at %s drawn at x=%v", r.Offset, r.X)
			}
		}
	}
	if got := strings.Join(free, " "); got != "0xf000+0x1000 0x30000+0x10000 0x240000+0x1c0000" {
		t.Errorf("free space = %s", got)
	}
	if !bytes.Contains(data, []byte(`viewBox="0 0 4096 68"`)) {
		t.Error("the bar does not span the 4MB flash in KiB, with two rows for the nested table")
	}
	if !bytes.Equal(data, renderReports(t, reportBundle())["flash-map.svg"].Data) {
		t.Error("two renderings differ")
	}
}

func TestFlashMapEscapesNames(t *testing.T) {
	b := sampleBundle()
	b.Regions[2].Name = `a"<b>&`
	rects := parseMap(t, renderReports(t, b)["flash-map.svg"].Data)
	found := false
	for _, r := range rects {
		found = found || r.Name == `a"<b>&`
	}
	if !found {
		t.Error("a name with markup characters did not survive as text")
	}
}
