package compose

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"

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
	// others are folders on other filesystems than root's that hold key files this
	// batch created unflushed (keyCreated): every flush flushes them too.
	others  map[uint64]string
	rootDev uint64
	rootErr error
	rootOne sync.Once
}

// deferKeys: created key files can wait for the group's flush (syncfs), which then
// makes each durable before any device encrypted with it is swapped in. Elsewhere
// each key is flushed as it is created.
func (g *groupSync) deferKeys() bool { return fsutil.IsOS(g.fs) && haveSyncfs }

// keyCreated notes a key file created without a flush. The device that created it is
// swapped in only after a flush that starts after its folder was written, so after
// the key was: the flush of root's filesystem covers the key when it is on the same
// one; a key elsewhere adds its filesystem to every later flush. A kill loses no
// written key (the page cache survives it); a power loss before the flush can lose
// a key, but then no device built with it was published, and the next run creates
// it again.
func (g *groupSync) keyCreated(path string) error {
	dir := filepath.Dir(path)
	g.rootOne.Do(func() { g.rootDev, g.rootErr = fsID(g.root) })
	if g.rootErr != nil {
		return g.rootErr
	}
	dev, err := fsID(dir)
	if err != nil {
		return err
	}
	if dev == g.rootDev {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.others == nil {
		g.others = map[uint64]string{}
	}
	if _, ok := g.others[dev]; !ok {
		g.others[dev] = dir
	}
	return nil
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
		others := make([]string, 0, len(g.others))
		for _, d := range g.others {
			others = append(others, d)
		}
		g.mu.Unlock()
		err := syncfs(g.root)
		for _, d := range others {
			if err == nil {
				err = syncfs(d)
			}
		}
		g.mu.Lock()
		g.running = false
		g.done = n
		g.lastErr = err
		g.cond.Broadcast()
	}
	return g.lastErr
}

// committer makes staged device folders durable and swaps them in, in groups: the
// workers stage a device and go on with the next while the committer waits for the
// disk, so the flush's latency is not paid once per device. Every device in a group
// is swapped in only after the flush that started after its last write returned.
type committer struct {
	t    *tree
	in   chan staged
	done chan struct{}
	err  error
	// onCommitted is called for each device once it is in place.
	onCommitted func(staged)
	renamed     bool // a device folder was renamed into place since the last flush
}

// staged is a device written under its temporary name, waiting to be swapped in.
type staged struct {
	j      job
	tmp    string
	result any // handed back to onCommitted
}

// groupWait is how long the committer gathers staged devices before it flushes.
const groupWait = 20 * time.Millisecond

// maxGroup bounds how many devices wait for one flush (and how many temporary
// folders a crash can leave for the next run to remove).
const maxGroup = 256

func newCommitter(t *tree, onCommitted func(staged)) *committer {
	c := &committer{t: t, in: make(chan staged, maxGroup), done: make(chan struct{}), onCommitted: onCommitted}
	go c.loop()
	return c
}

func (c *committer) loop() {
	defer close(c.done)
	for first := range c.in {
		// Gather what the workers stage in the next moments: they go on with other
		// devices meanwhile, so the wait costs nothing and one flush covers more.
		group := []staged{first}
		deadline := time.NewTimer(groupWait)
	drain:
		for len(group) < maxGroup {
			select {
			case s, ok := <-c.in:
				if !ok {
					break drain
				}
				group = append(group, s)
			case <-deadline.C:
				break drain
			}
		}
		deadline.Stop()
		if c.err != nil {
			c.discard(group)
			continue
		}
		if err := c.flush(group); err != nil {
			c.err = err
			c.discard(group)
			continue
		}
		c.renamed = false // this flush also made the previous group's renames durable
		for i, s := range group {
			c.renamed = true
			if err := c.t.commitDevice(s.j.id, s.tmp); err != nil {
				c.err = fmt.Errorf("device %s: %w", s.j.id, err)
				c.discard(group[i+1:])
				break
			}
			c.onCommitted(s)
		}
	}
}

func (c *committer) flush(group []staged) error {
	g := c.t.sync
	if !fsutil.IsOS(g.fs) || !haveSyncfs {
		for _, s := range group {
			if err := fsutil.SyncTree(g.fs, s.tmp); err != nil {
				return err
			}
		}
		return nil
	}
	return g.flush(group[0].tmp)
}

func (c *committer) discard(group []staged) {
	for _, s := range group {
		_ = c.t.fs.RemoveAll(s.tmp)
	}
}

// close waits for every staged device to be committed (or discarded after an error),
// then makes the last group's renames durable.
func (c *committer) close() error {
	close(c.in)
	<-c.done
	if c.err == nil && c.renamed {
		c.err = c.t.syncDevices()
	}
	return c.err
}
