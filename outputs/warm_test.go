package outputs

import (
	"bytes"
	"sync"
	"testing"
)

// Warming concurrently with rendering changes nothing in what is rendered.
func TestWarmIsInvisible(t *testing.T) {
	b := reportBundle()
	before, err := Files(b)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); Warm() }()
	}
	after, err := Files(b)
	wg.Wait()
	if err != nil || len(after) != len(before) {
		t.Fatalf("%d files, %v; want %d", len(after), err, len(before))
	}
	for i := range before {
		if after[i].Name != before[i].Name || !bytes.Equal(after[i].Data, before[i].Data) {
			t.Errorf("%s differs once warmed", before[i].Name)
		}
	}
}
