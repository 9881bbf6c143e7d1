package logx

import (
	"bytes"
	"sync"
	"testing"
)

func TestNewDeterministicText(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, false)
	l.Debugf("hidden %d", 1)
	l.Infof("hello %s", "world")
	l.Warnf("careful")
	l.Errorf("bad %d", 2)
	want := "level=info msg=\"hello world\"\n" +
		"level=warning msg=careful\n" +
		"level=error msg=\"bad 2\"\n"
	if got := buf.String(); got != want {
		t.Fatalf("output:\n%q\nwant:\n%q", got, want)
	}
}

func TestVerboseShowsDebug(t *testing.T) {
	var buf bytes.Buffer
	New(&buf, true).Debugf("x=%d", 7)
	if got, want := buf.String(), "level=debug msg=\"x=7\"\n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestDiscardAndOrDiscard(t *testing.T) {
	d := Discard()
	d.Debugf("a")
	d.Infof("a")
	d.Warnf("a")
	d.Errorf("a")
	if OrDiscard(nil) == nil {
		t.Fatal("OrDiscard(nil) returned nil")
	}
	var buf bytes.Buffer
	l := New(&buf, false)
	if OrDiscard(l) != l {
		t.Fatal("OrDiscard changed a non-nil logger")
	}
}

func TestConcurrentUse(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, false)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				l.Infof("n=%d", j)
			}
		}()
	}
	wg.Wait()
	if got := bytes.Count(buf.Bytes(), []byte("\n")); got != 400 {
		t.Fatalf("lines = %d, want 400", got)
	}
}
