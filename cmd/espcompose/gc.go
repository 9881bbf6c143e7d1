package main

import "runtime/debug"

// buildHeapLimit is the heap a single build may reach before the garbage collector
// runs at all (see shortLivedGC).
const buildHeapLimit = 256 << 20

// shortLivedGC turns the collector off for one build, up to buildHeapLimit, and
// returns what restores the settings. A build is a short process whose allocations
// are a few large buffers (images, the merged flash) that stay live until it exits:
// collecting them frees almost nothing (peak RSS of the 16 MB production build is
// the same with GOGC=off, 38 MB), while each cycle stops to scan and must preempt
// goroutines busy in long assembly loops (SHA-256, AES, memmove), which on two cores
// cost a quarter of the CPU of a cold 4 MB build (perf, bench/examples/production).
// The Go compiler does the same for the same reason (cmd/compile/internal/base
// AdjustStartingHeap). The limit keeps a pathological build from growing without
// bound: past it the collector runs as usual. A device batch is long-running and
// keeps the default. GOGC or GOMEMLIMIT in the environment win.
func (a *app) shortLivedGC() (restore func()) {
	if a.getenv("GOGC") != "" || a.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	pct := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(buildHeapLimit)
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(pct)
	}
}
