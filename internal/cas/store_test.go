package cas

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"
)

// recorder captures warnings so tests can assert a miss was reported.
type recorder struct {
	mu    sync.Mutex
	warns []string
}

func (r *recorder) Debugf(string, ...any) {}
func (r *recorder) Infof(string, ...any)  {}
func (r *recorder) Errorf(string, ...any) {}
func (r *recorder) Warnf(f string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warns = append(r.warns, fmt.Sprintf(f, a...))
}

const root = "/proj/.espcompose/cache"

func newStore(t *testing.T) (*Store, afero.Fs, *recorder) {
	t.Helper()
	fs := afero.NewMemMapFs()
	rec := &recorder{}
	return New(fs, root, rec), fs, rec
}

func sampleBlobs() map[string][]byte {
	return map[string][]byte{
		"partition-table.bin": {0xaa, 0x50, 0x01, 0x02},
		"report.txt":          []byte("ok\n"),
		"dup/of/report":       []byte("ok\n"),
		"empty":               {},
	}
}

func equalBlobs(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || string(v) != string(w) {
			return false
		}
	}
	return true
}

func TestPutGetHitAndMiss(t *testing.T) {
	s, _, rec := newStore(t)
	key := Key("parttable", 1, nil, Digest([]byte("csv")))
	if _, ok, err := s.Get(key); err != nil || ok {
		t.Fatalf("Get before Put: ok=%v err=%v", ok, err)
	}
	want := sampleBlobs()
	if err := s.Put(key, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Get(key)
	if err != nil || !ok {
		t.Fatalf("Get after Put: ok=%v err=%v", ok, err)
	}
	if !equalBlobs(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	other := Key("parttable", 2, nil, Digest([]byte("csv")))
	if _, ok, err := s.Get(other); err != nil || ok {
		t.Fatalf("Get other key: ok=%v err=%v", ok, err)
	}
	if len(rec.warns) != 0 {
		t.Fatalf("unexpected warnings: %v", rec.warns)
	}
}

func TestEmptyEntryIsAHit(t *testing.T) {
	s, _, _ := newStore(t)
	key := Key("noop", 1, nil)
	if err := s.Put(key, nil); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Get(key)
	if err != nil || !ok || len(got) != 0 {
		t.Fatalf("got %v ok=%v err=%v", got, ok, err)
	}
}

func TestLayoutAndDedup(t *testing.T) {
	s, fs, _ := newStore(t)
	key := Key("x", 1, nil)
	if err := s.Put(key, sampleBlobs()); err != nil {
		t.Fatal(err)
	}
	d := Digest([]byte("ok\n"))
	if _, err := fs.Stat(filepath.Join(root, "objects", d[:2], d)); err != nil {
		t.Fatalf("object not at expected path: %v", err)
	}
	if _, err := fs.Stat(filepath.Join(root, "entries", key+".json")); err != nil {
		t.Fatalf("entry not at expected path: %v", err)
	}
	var objects int
	_ = afero.Walk(fs, filepath.Join(root, "objects"), func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			objects++
		}
		return err
	})
	if objects != 3 { // two identical "ok\n" blobs share one object
		t.Fatalf("objects = %d, want 3", objects)
	}
}

func TestEntryBytesStable(t *testing.T) {
	var outs []string
	for i := 0; i < 5; i++ {
		s, fs, _ := newStore(t)
		key := Key("x", 1, nil)
		// A fresh map each time: its iteration order varies between runs.
		if err := s.Put(key, sampleBlobs()); err != nil {
			t.Fatal(err)
		}
		b, err := afero.ReadFile(fs, filepath.Join(root, "entries", key+".json"))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(b))
	}
	for _, o := range outs[1:] {
		if o != outs[0] {
			t.Fatalf("entry bytes differ:\n%s\n%s", outs[0], o)
		}
	}
	names := []string{`"dup/of/report"`, `"empty"`, `"partition-table.bin"`, `"report.txt"`}
	last := -1
	for _, n := range names {
		i := strings.Index(outs[0], n)
		if i <= last {
			t.Fatalf("blob names not sorted in entry:\n%s", outs[0])
		}
		last = i
	}
}

func TestCorruptedBlobIsMissAndRepairedByPut(t *testing.T) {
	s, fs, rec := newStore(t)
	key := Key("x", 1, nil)
	blobs := sampleBlobs()
	if err := s.Put(key, blobs); err != nil {
		t.Fatal(err)
	}
	d := Digest(blobs["partition-table.bin"])
	obj := filepath.Join(root, "objects", d[:2], d)
	for name, bad := range map[string][]byte{
		"flipped":   {0xaa, 0x50, 0x01, 0x03},
		"truncated": {0xaa, 0x50},
		"extended":  {0xaa, 0x50, 0x01, 0x02, 0x00},
	} {
		rec.warns = nil
		if err := afero.WriteFile(fs, obj, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Get(key)
		if err != nil || ok || got != nil {
			t.Fatalf("%s: corrupted blob returned ok=%v err=%v data=%v", name, ok, err, got)
		}
		if len(rec.warns) != 1 || !strings.Contains(rec.warns[0], "corrupted") {
			t.Fatalf("%s: warnings %v", name, rec.warns)
		}
	}
	if err := s.Put(key, blobs); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Get(key); err != nil || !ok || !equalBlobs(got, blobs) {
		t.Fatalf("after repair: ok=%v err=%v", ok, err)
	}
}

func TestMissingObjectIsMiss(t *testing.T) {
	s, fs, rec := newStore(t)
	key := Key("x", 1, nil)
	blobs := map[string][]byte{"a": []byte("A")}
	if err := s.Put(key, blobs); err != nil {
		t.Fatal(err)
	}
	d := Digest([]byte("A"))
	if err := fs.Remove(filepath.Join(root, "objects", d[:2], d)); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get(key); err != nil || ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if len(rec.warns) != 1 || !strings.Contains(rec.warns[0], "missing") {
		t.Fatalf("warnings %v", rec.warns)
	}
}

func TestDamagedEntryIsMiss(t *testing.T) {
	key := Key("x", 1, nil)
	otherKey := Key("y", 1, nil)
	good := Digest([]byte("A"))
	cases := map[string]string{
		"truncated json": `{"format":1,"key":"` + key[:10],
		"wrong format":   `{"format":2,"key":"` + key + `","blobs":[]}`,
		"wrong key":      `{"format":1,"key":"` + otherKey + `","blobs":[]}`,
		"bad digest":     `{"format":1,"key":"` + key + `","blobs":[{"name":"a","sha256":"../../etc/passwd","size":1}]}`,
		"duplicate name": `{"format":1,"key":"` + key + `","blobs":[{"name":"a","sha256":"` + good + `","size":1},{"name":"a","sha256":"` + good + `","size":1}]}`,
		"negative size":  `{"format":1,"key":"` + key + `","blobs":[{"name":"a","sha256":"` + good + `","size":-1}]}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			s, fs, rec := newStore(t)
			if err := s.Put(key, map[string][]byte{"a": []byte("A")}); err != nil {
				t.Fatal(err)
			}
			if err := afero.WriteFile(fs, filepath.Join(root, "entries", key+".json"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := s.Get(key); err != nil || ok {
				t.Fatalf("ok=%v err=%v data=%v", ok, err, got)
			}
			if len(rec.warns) != 1 {
				t.Fatalf("warnings %v", rec.warns)
			}
		})
	}
}

func TestInvalidKeyRejected(t *testing.T) {
	s, _, _ := newStore(t)
	for _, k := range []string{"", "../../x", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("g", 64)} {
		if _, _, err := s.Get(k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) err = %v", k, err)
		}
		if err := s.Put(k, nil); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) err = %v", k, err)
		}
	}
}

func TestConcurrentPutGet(t *testing.T) {
	s, _, _ := newStore(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := Key("c", 1, i%2)
			blobs := map[string][]byte{"v": []byte(fmt.Sprint(i % 2))}
			if err := s.Put(key, blobs); err != nil {
				t.Error(err)
				return
			}
			got, ok, err := s.Get(key)
			if err != nil || !ok || !equalBlobs(got, blobs) {
				t.Errorf("Get: ok=%v err=%v got=%v", ok, err, got)
			}
		}(i)
	}
	wg.Wait()
}

func TestNilLoggerAllowed(t *testing.T) {
	fs := afero.NewMemMapFs()
	s := New(fs, root, nil)
	key := Key("x", 1, nil)
	if err := s.Put(key, map[string][]byte{"a": []byte("A")}); err != nil {
		t.Fatal(err)
	}
	d := Digest([]byte("A"))
	_ = afero.WriteFile(fs, filepath.Join(root, "objects", d[:2], d), []byte("B"), 0o644)
	if _, ok, err := s.Get(key); ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
}

func TestOsFsRoundTrip(t *testing.T) {
	s := New(afero.NewOsFs(), filepath.Join(t.TempDir(), "cache"), nil)
	key := Key("x", 1, nil)
	if err := s.Put(key, sampleBlobs()); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Get(key); err != nil || !ok || !equalBlobs(got, sampleBlobs()) {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
}

func BenchmarkPutGet(b *testing.B) {
	s := New(afero.NewMemMapFs(), root, nil)
	blob := make([]byte, 64<<10)
	key := Key("bench", 1, nil)
	for b.Loop() {
		if err := s.Put(key, map[string][]byte{"img": blob}); err != nil {
			b.Fatal(err)
		}
		if _, ok, err := s.Get(key); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// PutDigested names objects by the digest it is given, without hashing again; a
// wrong digest is caught by Get's verification and is a miss, never wrong bytes.
func TestPutDigested(t *testing.T) {
	s, _, rec := newStore(t)
	blobs := sampleBlobs()
	digests := map[string]string{}
	for name, b := range blobs {
		digests[name] = Digest(b)
	}
	key := strings.Repeat("1", 64)
	if err := s.PutDigested(key, blobs, digests); err != nil {
		t.Fatal(err)
	}
	got, sums, ok, err := s.GetVerified(key)
	if err != nil || !ok || len(got) != len(blobs) {
		t.Fatalf("GetVerified: %v %v %d", ok, err, len(got))
	}
	for name := range blobs {
		if sums[name] != digests[name] || string(got[name]) != string(blobs[name]) {
			t.Errorf("blob %s: digest %s", name, sums[name])
		}
	}
	// A digest that is not the blob's: stored under it, then refused on read.
	bad := strings.Repeat("2", 64)
	for name := range digests {
		digests[name] = bad
	}
	key2 := strings.Repeat("3", 64)
	if err := s.PutDigested(key2, blobs, digests); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get(key2); ok || err != nil {
		t.Fatalf("an object stored under a wrong digest was returned (ok %v, err %v)", ok, err)
	}
	if len(rec.warns) == 0 {
		t.Error("the corrupted object was not reported")
	}
	// A missing or malformed digest is computed.
	key3 := strings.Repeat("4", 64)
	if err := s.PutDigested(key3, blobs, map[string]string{"x": "nothex"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get(key3); !ok || err != nil {
		t.Fatalf("Get after PutDigested without digests: %v %v", ok, err)
	}
}
