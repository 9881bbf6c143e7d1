package fatfs

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"
)

// storedName is the name Decode gives back for one path component: upper-cased
// by the generator, then shown lower-case by FatFs's NTRes flags (8.3 names
// with long names on) or stored with its ASCII bytes lowered (LFN entries).
func storedName(comp string, dir, lfn bool) string {
	up := pyUpper(comp)
	name, ext := up, ""
	if !dir {
		name, ext = splitExt(up)
	}
	if !lfn || validSFN(name, ext) {
		s := buildName(strings.TrimRight(name, " "), strings.TrimRight(ext, " "))
		if lfn {
			return string(asciiLower([]byte(s)))
		}
		return s
	}
	u := utf16.Encode([]rune(buildName(name, ext)))
	for i, c := range u {
		lo, hi := byte(c), byte(c>>8)
		lo, hi = asciiLower([]byte{lo})[0], asciiLower([]byte{hi})[0]
		u[i] = uint16(lo) | uint16(hi)<<8
	}
	return string(utf16.Decode(u))
}

// expectTree is what Decode must return for entries built with lfn: every
// directory listed (implicit parents too), names as stored, sorted by path.
func expectTree(entries []Entry, lfn bool) []Entry {
	m := map[string]Entry{}
	for _, e := range entries {
		parts := strings.Split(e.Path, "/")
		var p []string
		for i, c := range parts {
			isDir := i < len(parts)-1 || e.Dir
			p = append(p, storedName(c, isDir, lfn))
			k := strings.Join(p, "/")
			if isDir {
				m[k] = Entry{Path: k, Dir: true}
			} else {
				m[k] = Entry{Path: k, Data: e.Data}
			}
		}
	}
	return sortedEntries(mapValues(m))
}

func mapValues(m map[string]Entry) []Entry {
	out := make([]Entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	return out
}

func sortedEntries(es []Entry) []Entry {
	out := append([]Entry{}, es...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func sameTree(t *testing.T, got, want []Entry) {
	t.Helper()
	got, want = sortedEntries(got), sortedEntries(want)
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d\ngot  %v\nwant %v", len(got), len(want), paths(got), paths(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Path != w.Path || g.Dir != w.Dir || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("entry %d: got %q dir=%v %d bytes, want %q dir=%v %d bytes", i, g.Path, g.Dir, len(g.Data), w.Path, w.Dir, len(w.Data))
		}
	}
}

func paths(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Path)
	}
	return out
}

// TestDecodeConformance reads every reference image back to its input tree.
func TestDecodeConformance(t *testing.T) {
	for _, c := range fatCases(t) {
		if c.ExpectedError {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			img := gunzip(t, c.File(t, *c.Expected))
			got, err := Decode(img)
			if err != nil {
				t.Fatal(err)
			}
			in := readInput(t, filepath.Join(c.Dir, c.Params["input_dir"].(string)))
			sameTree(t, got, expectTree(in, c.Params["long_name_support"] == true))
		})
	}
}

// randTree makes a random tree whose names the mode can hold: 8.3 names
// without long names, any printable ASCII name with them.
func randTree(r *rand.Rand, lfn bool, maxData int) []Entry {
	var out []Entry
	seen := map[string]bool{}
	var mk func(dir string, depth int)
	mk = func(dir string, depth int) {
		n := r.IntN(6)
		if depth == 0 {
			n = 1 + r.IntN(12)
		}
		for i := 0; i < n; i++ {
			isDir := depth < 3 && r.IntN(4) == 0
			name := randShortName(r, isDir)
			if lfn && r.IntN(2) == 0 {
				name = randLongName(r)
			}
			p := name
			if dir != "" {
				p = dir + "/" + name
			}
			key := dir + "/" + storedName(name, isDir, lfn)
			if seen[strings.ToUpper(key)] {
				continue
			}
			seen[strings.ToUpper(key)] = true
			if isDir {
				out = append(out, Entry{Path: p, Dir: true})
				mk(p, depth+1)
				continue
			}
			data := make([]byte, r.IntN(maxData+1))
			if r.IntN(4) == 0 {
				data = data[:0]
			}
			for j := range data {
				data[j] = byte(r.Uint32())
			}
			out = append(out, Entry{Path: p, Data: data})
		}
	}
	mk("", 0)
	return out
}

func randShortName(r *rand.Rand, dir bool) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-~!#$%&'()@^{}"
	pick := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = a[r.IntN(len(a))]
		}
		return string(b)
	}
	name := pick(1 + r.IntN(8))
	if !dir && r.IntN(3) != 0 {
		name += "." + pick(1+r.IntN(3))
	}
	return name
}

func randLongName(r *rand.Rand) string {
	const a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+., ;=[]~"
	for {
		b := make([]byte, 1+r.IntN(40))
		for i := range b {
			b[i] = a[r.IntN(len(a))]
		}
		s := string(b)
		if s[0] != ' ' && s[0] != '.' && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, " ") {
			return s
		}
	}
}

// TestRoundTrip: Decode(Build(x)) is x (names as stored) over random trees,
// long names on and off, both sector sizes, one or two FATs; with several
// sectors per cluster through DecodeFatfsgen, which reads Build's layout.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	for i := 0; i < 150; i++ {
		lfn := i%2 == 0
		ss := []int{512, 4096}[r.IntN(2)]
		spc := []int{1, 1, 2, 4}[r.IntN(4)]
		opts := Options{Size: 1 << 20, SectorSize: ss, SectorsPerCluster: spc, FATCount: 1 + r.IntN(2), LongNames: lfn, VolumeID: r.Uint32()}
		switch {
		case spc > 1:
			// fatfsgen uses one sector of each cluster: leave room.
			opts.Size = 4 << 20
		case r.IntN(4) == 0:
			opts.Size = 0
		}
		tree := randTree(r, lfn, 3*ss)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			img, err := Build(tree, opts)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			got, err := DecodeFatfsgen(img)
			if err != nil {
				t.Fatalf("DecodeFatfsgen: %v", err)
			}
			sameTree(t, got, expectTree(tree, lfn))
			if spc == 1 {
				if got, err = Decode(img); err != nil {
					t.Fatalf("Decode: %v", err)
				}
				sameTree(t, got, expectTree(tree, lfn))
			}
		})
	}
}

func sortStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(99, 100)) }
