package main

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
)

// buildForBrowser builds an example into a temporary dist/ and returns it with the
// region names its build.json lists (the flash map the report must show).
func buildForBrowser(t *testing.T, example string) (dist string, regions []string) {
	t.Helper()
	work := t.TempDir()
	copyTree(t, filepath.Join(examplesDir, example), work)
	dist = filepath.Join(work, "dist")
	if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "build", "-f", filepath.Join(work, "espcompose.hcl"), "-o", dist); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dist, "build.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		FlashMap []struct{ Name string } `json:"flash_map"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.FlashMap {
		regions = append(regions, r.Name)
	}
	if len(regions) == 0 {
		t.Fatal("build.json lists no regions")
	}
	return dist, regions
}

// TestReportInChromium loads dist/report.html in headless Chromium over the DevTools
// protocol: no console errors or warnings, no failed loads, no request for anything
// but the page itself, and every region of the flash map shown by name. A control
// page with a console error and an external image proves the watch sees both.
func TestReportInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := startCDP(t, chromium)

	control := filepath.Join(t.TempDir(), "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><p>x</p><img src="https://example.invalid/x.png"><script>console.error("boom")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := c.load(ctx, "file://"+control)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "console.error: boom") || len(rep.Requests) == 0 {
		t.Fatalf("the control page's console error and external request went unseen: problems %q, requests %q", rep.Problems, rep.Requests)
	}

	for _, example := range []string{"esp-at", "secure-production"} {
		t.Run(example, func(t *testing.T) {
			dist, regions := buildForBrowser(t, example)
			page := "file://" + filepath.ToSlash(filepath.Join(dist, "report.html"))
			rep, err := c.load(ctx, page)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				t.Errorf("report.html: %s", p)
			}
			for _, u := range rep.Requests {
				t.Errorf("report.html requested %s; it must load nothing", u)
			}
			shown := map[string]bool{}
			for _, n := range rep.Names {
				shown[n] = true
			}
			for _, r := range regions {
				if !shown[r] || !strings.Contains(rep.Text, r) {
					t.Errorf("region %s is not shown (names shown: %q)", r, rep.Names)
				}
			}
		})
	}
}

// TestReportScreenshotNotBlank renders report.html with Chromium's --screenshot and
// requires a picture: many colours (the flash map's), and a share of pixels that are
// not background. A blank page, the control, fails the same test.
func TestReportScreenshotNotBlank(t *testing.T) {
	chromium := chromiumPath(t)
	dist, _ := buildForBrowser(t, "esp-at")
	blank := filepath.Join(t.TempDir(), "blank.html")
	if err := os.WriteFile(blank, []byte("<!DOCTYPE html><title>blank</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if colours, inked := screenshot(t, chromium, blank); colours > 2 || inked > 0 {
		t.Fatalf("the blank control has %d colours and %.3f ink; the test cannot tell blank from not", colours, inked)
	}
	colours, inked := screenshot(t, chromium, filepath.Join(dist, "report.html"))
	t.Logf("report.html: %d colours, %.1f%% ink", colours, inked*100)
	if colours < 16 || inked < 0.02 {
		t.Errorf("report.html renders nearly blank: %d colours, %.3f of pixels not background", colours, inked)
	}
}

// screenshot renders file at 1200x900 and returns how many distinct colours the
// PNG has and the share of pixels that differ from the top-left (background) pixel.
func screenshot(t *testing.T, chromium, file string) (int, float64) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append(chromiumArgs(t.TempDir()), "--hide-scrollbars", "--screenshot="+out, "--window-size=1200,900",
		"file://"+filepath.ToSlash(file))
	cmd := exec.CommandContext(ctx, chromium, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() != 1200 || bounds.Dy() != 900 {
		t.Errorf("screenshot is %dx%d", bounds.Dx(), bounds.Dy())
	}
	bg := img.At(bounds.Min.X, bounds.Min.Y)
	br, bgG, bb, _ := bg.RGBA()
	colours := map[[3]uint32]bool{}
	ink := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r, g, b}] = true
			if r != br || g != bgG || b != bb {
				ink++
			}
		}
	}
	return len(colours), float64(ink) / float64(bounds.Dx()*bounds.Dy())
}
