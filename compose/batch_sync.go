package compose

import (
	"sync"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/fsutil"
)

// groupSync makes device folders durable before they are swapped in, in groups.
// Flushing each file of each device (fsutil.SyncTree) costs a journal commit per file:
// most of a batch's time. On Linux one syncfs(2) flushes everything written so far,
// so devices that finish writing while a flush runs share the next one: with J
// workers, about one flush per J devices, and still no device is visible before its
// bytes are on disk. Elsewhere (and in memory) each tree is flushed on its own.
type groupSync struct {
	fs   afero.Fs
	root string

	mu      sync.Mutex
	cond    *sync.Cond
	started uint64 // flushes begun
	done    uint64 // flushes finished
	running bool
	lastErr error
}

func newGroupSync(fsys afero.Fs, root string) *groupSync {
	g := &groupSync{fs: fsys, root: root}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// flush returns once everything written before the call is durable. dir is the tree
// just written, flushed on its own where syncfs is not available.
func (g *groupSync) flush(dir string) error {
	if !fsutil.IsOS(g.fs) || !haveSyncfs {
		return fsutil.SyncTree(g.fs, dir)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	// A flush already running may have started before this device's last write:
	// only one that starts from now on counts.
	need := g.started + 1
	for g.done < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		n := g.started
		g.mu.Unlock()
		err := syncfs(g.root)
		g.mu.Lock()
		g.running = false
		g.done = n
		g.lastErr = err
		g.cond.Broadcast()
	}
	return g.lastErr
}
