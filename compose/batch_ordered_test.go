package compose

import (
	"errors"
	"fmt"
	"runtime/debug"
	"testing"
	"time"
)

func TestOrderedMap(t *testing.T) {
	for _, c := range []struct{ n, jobs, window int }{{0, 2, 8}, {1, 2, 8}, {100, 1, 1}, {1000, 2, 16}, {1000, 8, 3}} {
		var got []int
		err := orderedMap(c.n, c.jobs, c.window, func(i int) (int, error) {
			if i%7 == 0 {
				time.Sleep(time.Microsecond) // finish out of order
			}
			return i * i, nil
		}, func(i, v int) error {
			if v != i*i {
				return fmt.Errorf("result %d is %d", i, v)
			}
			got = append(got, i)
			return nil
		})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if len(got) != c.n {
			t.Fatalf("%+v: %d results", c, len(got))
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("%+v: result %d came as %d", c, i, v)
			}
		}
	}
	// The first error in order stops it; nothing after it is used.
	boom := errors.New("boom")
	used := 0
	err := orderedMap(1000, 4, 8, func(i int) (int, error) {
		if i == 500 || i == 900 {
			return 0, fmt.Errorf("at %d: %w", i, boom)
		}
		return i, nil
	}, func(i, v int) error { used++; return nil })
	if !errors.Is(err, boom) || err.Error() != "at 500: boom" || used != 500 {
		t.Fatalf("err %v after %d used", err, used)
	}
	// An error of use stops it too.
	err = orderedMap(1000, 4, 8, func(i int) (int, error) { return i, nil }, func(i, v int) error {
		if i == 10 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("use's error: %v", err)
	}
}

// The collector's target is raised for a batch only from Go's default, and put back.
func TestRaiseGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	restore := raiseGC(0)
	if got := debug.SetGCPercent(-1); got != batchGCPercent {
		t.Fatalf("during the batch: %d", got)
	}
	debug.SetGCPercent(batchGCPercent)
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after the batch: %d", got)
	}
	debug.SetGCPercent(50) // the process's own choice
	raiseGC(0)()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Fatalf("a process setting was changed: %d", got)
	}
	raiseGC(-1)()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GCPercent < 0 changed the collector: %d", got)
	}
}
