package fatfs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMtools lists and extracts images with mtools (mdir, mcopy), an
// independent FAT reader, and compares with Decode and with the input.
func TestMtools(t *testing.T) {
	if _, err := exec.LookPath("mcopy"); err != nil {
		t.Skip("mtools not installed (apt-get install mtools)")
	}
	if _, err := exec.LookPath("mdir"); err != nil {
		t.Skip("mtools not installed (apt-get install mtools)")
	}
	type image struct {
		name string
		img  []byte
		want []Entry
	}
	var imgs []image
	r := rand.New(rand.NewPCG(7, 8))
	for i, o := range []Options{
		{Size: 1 << 20, LongNames: true},
		{Size: 1 << 20},
		{Size: 512 << 10, SectorSize: 512, LongNames: true},
		{Size: 256 << 10, SectorSize: 512, FATCount: 1},
		{Size: 0x208000, SectorSize: 512, FATType: 16, LongNames: true},
	} {
		tree := randTree(r, o.LongNames, 3*4096)
		img, err := Build(tree, o)
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		imgs = append(imgs, image{fmt.Sprintf("random%d", i), img, expectTree(tree, o.LongNames)})
	}
	if root := conformanceRootOrEmpty(); root != "" {
		for _, c := range fatCases(t) {
			if c.ExpectedError {
				continue
			}
			in := readInput(t, filepath.Join(c.Dir, c.Params["input_dir"].(string)))
			imgs = append(imgs, image{c.Name, gunzip(t, c.File(t, *c.Expected)), expectTree(in, c.Params["long_name_support"] == true)})
		}
	}
	for _, im := range imgs {
		t.Run(im.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "img")
			if err := os.WriteFile(path, im.img, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			if err := os.Mkdir(out, 0o755); err != nil {
				t.Fatal(err)
			}
			env := append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "MTOOLS_LOWER_CASE=0")
			ls := exec.Command("mdir", "-i", path, "-/", "-b", "::")
			ls.Env = env
			listing, err := ls.CombinedOutput()
			if err != nil {
				t.Fatalf("mdir: %v\n%s", err, listing)
			}
			cp := exec.Command("mcopy", "-s", "-n", "-i", path, "::/", out+"/")
			cp.Env = env
			if msg, err := cp.CombinedOutput(); err != nil {
				t.Fatalf("mcopy: %v\n%s", err, msg)
			}
			extracted := readInput(t, out)
			sameTree(t, extracted, im.want)
			var listed []string
			for _, l := range strings.Split(strings.TrimSpace(string(listing)), "\n") {
				if l = strings.TrimSuffix(strings.TrimPrefix(l, "::/"), "/"); l != "" {
					listed = append(listed, l)
				}
			}
			if fmt.Sprint(sortStrings(listed)) != fmt.Sprint(sortStrings(paths(im.want))) {
				t.Fatalf("mdir lists %v, want %v", sortStrings(listed), sortStrings(paths(im.want)))
			}
			decoded, err := Decode(im.img)
			if err != nil {
				t.Fatal(err)
			}
			sameTree(t, decoded, extracted)
		})
	}
}
