package outputs

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"math/rand"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/internal/testimage"
)

// rec is one table record: name, type, subtype, offset, size.
type rec struct {
	name         string
	typ, sub     uint8
	offset, size uint32
}

// rawTable writes records as given (no validation) with a correct MD5 record, as
// a hand-made or hostile image would hold them.
func rawTable(recs ...rec) []byte {
	b := bytes.Repeat([]byte{0xFF}, parttable.TableSize)
	for i, r := range recs {
		e := b[i*32 : (i+1)*32]
		e[0], e[1], e[2], e[3] = 0xAA, 0x50, r.typ, r.sub
		binary.LittleEndian.PutUint32(e[4:], r.offset)
		binary.LittleEndian.PutUint32(e[8:], r.size)
		clear(e[12:32])
		copy(e[12:28], r.name)
	}
	n := len(recs) * 32
	b[n], b[n+1] = 0xEB, 0xEB
	sum := md5.Sum(b[:n])
	copy(b[n+16:n+32], sum[:])
	return b
}

// flashImage is a small esp32c3 flash image: bootloader, the table at 0x8000 with
// the given records, and each region's bytes at its offset.
type flashImage struct {
	t       testing.TB
	img     []byte
	regions map[uint32][]byte
}

func newFlash(t testing.TB, recs ...rec) *flashImage {
	t.Helper()
	boot, err := testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32c3", FlashSize: "4MB"})
	if err != nil {
		t.Fatal(err)
	}
	f := &flashImage{t: t, regions: map[uint32][]byte{0: boot, parttable.DefaultOffset: rawTable(recs...)}}
	return f
}

func (f *flashImage) at(off uint32, b []byte) *flashImage { f.regions[off] = b; return f }

func (f *flashImage) bytes() []byte {
	end := uint32(0)
	for off, b := range f.regions {
		end = max(end, off+uint32(len(b)))
	}
	img := bytes.Repeat([]byte{0xFF}, int(end))
	for off, b := range f.regions {
		copy(img[off:], b)
	}
	return img
}

var (
	nvsRec = rec{"nvs", 1, 2, 0x9000, 0x6000}
	appRec = rec{"factory", 0, 0, 0x10000, 0x100000}
)

func testApp(t testing.TB) []byte {
	t.Helper()
	app, err := testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "demo", Version: "1.0", CodeSize: 0x2000})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func testNVS(t testing.TB) []byte {
	t.Helper()
	b, err := nvs.Encode(&nvs.Partition{Namespaces: []nvs.Namespace{{Name: "cfg", Entries: []nvs.Entry{{Key: "region", Type: nvs.String, Str: "eu868"}}}}},
		nvs.Options{Size: 0x6000})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func goodImage(t testing.TB) []byte {
	return newFlash(t, nvsRec, appRec).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).bytes()
}

func codes(in *Inspection) []string {
	var out []string
	for _, f := range in.Findings {
		out = append(out, f.Code)
	}
	return out
}

// inspectQuickly fails the test when Inspect does not return within a few
// seconds or allocates more than 64 MiB: a hostile table must not make it loop or
// allocate what an entry claims.
func inspectQuickly(t *testing.T, img []byte) (*Inspection, error) {
	t.Helper()
	type result struct {
		in  *Inspection
		err error
	}
	done := make(chan result, 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	go func() {
		in, err := Inspect(img, InspectOptions{})
		done <- result{in, err}
	}()
	select {
	case r := <-done:
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
			t.Errorf("Inspect allocated %d MiB", grew>>20)
		}
		return r.in, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("Inspect did not return within 10s")
	}
	return nil, nil
}

func TestInspectGoodImageHasNoFindings(t *testing.T) {
	in, err := inspectQuickly(t, goodImage(t))
	if err != nil || len(in.Findings) != 0 {
		t.Fatalf("err %v, findings %+v", err, in.Findings)
	}
	if len(in.Partitions) != 2 || in.Partitions[1].Image == nil || len(in.Partitions[0].NVS) != 1 {
		t.Errorf("partitions read back wrong: %+v", in.Partitions)
	}
}

func TestInspectNestedTableLoops(t *testing.T) {
	custom := rec{"at_customize", 0x40, 0, 0x200000, 0x40000}
	cases := []struct {
		name     string
		children []rec
		want     string
	}{
		{"points at itself", []rec{{"self", 0x40, 0, 0x200000, 0x40000}}, `partition "self" at 0x200000 points back at the table in "at_customize" at 0x200000, already read: not followed`},
		{"points at the primary table", []rec{{"up", 0x40, 0, 0x8000, 0x1000}}, `partition "up" at 0x8000 points back at the partition table, already read: not followed`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := newFlash(t, nvsRec, appRec, custom).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).
				at(0x200000, rawTable(c.children...)).bytes()
			in, err := inspectQuickly(t, img)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, f := range in.Findings {
				msgs = append(msgs, f.Message)
			}
			if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
				t.Errorf("findings %q\nwant %q", msgs, c.want)
			}
			if len(in.Tables) != 2 {
				t.Errorf("read %d tables, want the primary and at_customize", len(in.Tables))
			}
			if !in.Failed() || in.NotAnImage() {
				t.Error("a looping table must fail the image, as an image")
			}
		})
	}
}

// A chain of tables each inside the previous one stops at MaxTableDepth.
func TestInspectNestedTableDepth(t *testing.T) {
	f := newFlash(t, nvsRec, appRec, rec{"l1", 0x40, 0, 0x100000 + 0x20000, 0x80000}).at(0x9000, testNVS(t)).at(0x10000, testApp(t))
	// Put the app somewhere that does not collide: factory is 0x10000-0x10ffff.
	off, size := uint32(0x120000), uint32(0x80000)
	for level := 2; level <= MaxTableDepth+2; level++ {
		child := rec{"l" + string(rune('0'+level)), 0x40, 0, off + 0x1000, size - 0x1000}
		f.at(off, rawTable(child))
		off, size = child.offset, child.size
	}
	in, err := inspectQuickly(t, f.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Tables) != MaxTableDepth {
		t.Errorf("read %d tables, want %d", len(in.Tables), MaxTableDepth)
	}
	if got := codes(in); len(got) != 1 || got[0] != CodeTableDepth {
		t.Errorf("findings %+v, want one %s", in.Findings, CodeTableDepth)
	}
}

// Many partitions each holding a table: at most MaxTables are read.
func TestInspectTableCount(t *testing.T) {
	recs := []rec{nvsRec, appRec}
	f := newFlash(t)
	for i := 0; i < 40; i++ {
		off := uint32(0x200000 + i*0x10000)
		recs = append(recs, rec{"t" + string(rune('A'+i)), 0x40, 0, off, 0x10000})
		f.at(off, rawTable(rec{"c" + string(rune('A'+i)), 1, 0x81, off + 0x1000, 0x1000}))
	}
	f.at(parttable.DefaultOffset, rawTable(recs...)).at(0x9000, testNVS(t)).at(0x10000, testApp(t))
	in, err := inspectQuickly(t, f.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Tables) != MaxTables {
		t.Errorf("read %d tables, want %d", len(in.Tables), MaxTables)
	}
	n := 0
	for _, c := range codes(in) {
		if c == CodeTableCount {
			n++
		}
	}
	if n != 40-(MaxTables-1) {
		t.Errorf("%d %s findings, want %d", n, CodeTableCount, 40-(MaxTables-1))
	}
}

func TestInspectNotAnImage(t *testing.T) {
	rnd := make([]byte, 0x20000)
	rand.New(rand.NewSource(1)).Read(rnd)
	good := goodImage(t)
	cases := []struct {
		name  string
		img   []byte
		codes []string
	}{
		{"empty", nil, []string{CodeEmptyInput}},
		{"random bytes", rnd, []string{CodeNoTable, CodeNotAnImage}},
		{"erased", bytes.Repeat([]byte{0xFF}, 0x10000), []string{CodeNoTable, CodeNotAnImage}},
		{"truncated before the table", good[:0x7000], []string{CodeNoTable}},
		{"one byte", []byte{0xE9}, []string{CodeNoTable, CodeNotAnImage}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := inspectQuickly(t, c.img)
			if !errors.Is(err, ErrNotAnImage) {
				t.Fatalf("err %v, want ErrNotAnImage", err)
			}
			if got := codes(in); strings.Join(got, ",") != strings.Join(c.codes, ",") {
				t.Errorf("findings %+v, want codes %v", in.Findings, c.codes)
			}
			if !in.NotAnImage() {
				t.Error("NotAnImage() is false")
			}
		})
	}
}

func TestInspectFailedChecks(t *testing.T) {
	good := goodImage(t)
	md5 := bytes.Clone(good)
	md5[0x8000+2*32+20] ^= 1 // in the MD5 record's digest
	badNVS := bytes.Clone(good)
	badNVS[0x9000+0x40+0x20+24] ^= 0xFF // the string item's data
	badApp := bytes.Clone(good)
	badApp[0x10000+0x100] ^= 0xFF // in the first segment: checksum and SHA-256 both break
	cases := []struct {
		name  string
		img   []byte
		codes []string
	}{
		{"bad MD5", md5, []string{CodeTableMD5}},
		{"undecodable NVS", badNVS, []string{CodeNVS}},
		{"app checksum", badApp, []string{CodeChecksum, CodeSHA256, CodeNoApp}},
		{"truncated inside the app", good[:0x10000+0x800], []string{CodeAppInvalid, CodeNoApp}},
		{"no bootloader", append(bytes.Repeat([]byte{0xFF}, 0x8000), good[0x8000:]...), []string{CodeNotAnImage}},
		{"child past its parent", newFlash(t, nvsRec, appRec, rec{"at_customize", 0x40, 0, 0x200000, 0x20000}).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).
			at(0x200000, rawTable(rec{"big", 1, 0x81, 0x201000, 0x20000})).bytes(), []string{CodeOutsideParent}},
		{"overlapping entries", newFlash(t, nvsRec, appRec, rec{"ota_1", 0, 0x11, 0x100000, 0x100000}).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).bytes(),
			[]string{CodeTableInvalid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := inspectQuickly(t, c.img)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(in); strings.Join(got, ",") != strings.Join(c.codes, ",") {
				t.Errorf("findings %+v, want codes %v", in.Findings, c.codes)
			}
			if !in.Failed() || in.NotAnImage() {
				t.Error("want a failed image, not a non-image")
			}
		})
	}
}

// An entry claiming nearly 4 GiB must not be allocated.
func TestInspectHugeEntry(t *testing.T) {
	img := newFlash(t, nvsRec, appRec, rec{"huge", 1, 0x81, 0x200000, 0xFFDFF000}).at(0x9000, testNVS(t)).at(0x10000, testApp(t)).bytes()
	in, err := inspectQuickly(t, img)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range in.Partitions {
		if p.Name == "huge" && (!p.Erased || len(p.Data) > 0x2000) {
			t.Errorf("huge: erased %v, %d bytes read", p.Erased, len(p.Data))
		}
	}
}
