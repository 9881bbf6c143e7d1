package compose

import (
	"runtime"
	"sync"
)

// orderedMap computes f(0..n-1) on jobs goroutines and hands each result to use in
// order, one at a time, from the calling goroutine. At most window results are
// computed ahead of use, so memory does not grow with n. The first error (of f, in
// order, or of use) stops it and is returned. The index of a batch reads and encodes
// every device's record this way: the reads are independent, the files are not.
func orderedMap[T any](n, jobs, window int, f func(i int) (T, error), use func(i int, v T) error) error {
	if jobs < 1 {
		jobs = runtime.NumCPU()
	}
	if window < jobs {
		window = jobs
	}
	type result struct {
		v   T
		err error
	}
	// slots[i%window] carries result i: result i+window is only computed after
	// result i was taken (free holds one token per result not yet taken).
	slots := make([]chan result, window)
	for k := range slots {
		slots[k] = make(chan result, 1)
	}
	free := make(chan struct{}, window)
	work := make(chan int)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				v, err := f(i)
				slots[i%window] <- result{v, err}
			}
		}()
	}
	go func() {
		defer close(work)
		for i := 0; i < n; i++ {
			select {
			case free <- struct{}{}:
			case <-done:
				return
			}
			select {
			case work <- i:
			case <-done:
				return
			}
		}
	}()
	defer func() {
		close(done)
		wg.Wait()
	}()
	for i := 0; i < n; i++ {
		r := <-slots[i%window]
		<-free
		if r.err != nil {
			return r.err
		}
		if err := use(i, r.v); err != nil {
			return err
		}
	}
	return nil
}
