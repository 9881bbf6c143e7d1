package main

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"
)

// device is one devices/<id>/ folder of a batch, read into memory beforehand so that
// only writing is timed.
type device struct {
	id    string
	dirs  []string // sub-folders, parents first, relative
	files []file   // in the order espcompose writes them: marker, outputs, record
}

type file struct {
	rel  string
	data []byte
	mode os.FileMode
}

// loadBatch reads every device folder of an espcompose batch tree.
func loadBatch(src string) ([]device, []file, error) {
	devs := filepath.Join(src, "devices")
	ents, err := os.ReadDir(devs)
	if err != nil {
		return nil, nil, err
	}
	var out []device
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		d := device{id: e.Name()}
		root := filepath.Join(devs, e.Name())
		var marker, record *file
		err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
			if err != nil || p == root {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if de.IsDir() {
				d.dirs = append(d.dirs, rel)
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fi, err := de.Info()
			if err != nil {
				return err
			}
			f := file{rel: rel, data: b, mode: fi.Mode().Perm()}
			switch rel {
			case ".espcompose-output":
				marker = &f
			case "record.json":
				record = &f
			default:
				d.files = append(d.files, f)
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if marker != nil {
			d.files = append([]file{*marker}, d.files...)
		}
		if record != nil {
			d.files = append(d.files, *record)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	var top []file
	for _, n := range []string{".espcompose-batch", "devices.json", "devices.csv", "SHA256SUMS"} {
		if b, err := os.ReadFile(filepath.Join(src, n)); err == nil {
			top = append(top, file{rel: n, data: b, mode: 0o644})
		}
	}
	return out, top, nil
}

// copyBatch writes the device folders of src into dst as espcompose's batch publishes
// them, and nothing else: per device a temporary folder beside its place, its
// sub-folders, its files created exclusively and written in one call each, on jobs
// workers; a committer that flushes every staged device with one syncfs per group
// (the devices staged while the previous flush ran) and then renames each into
// place; at the end the devices folder flushed and the top-level files replaced
// atomically. With flush false, no syncfs and no fsync: the same operations only.
// It prints the seconds the writing took (loading src is not timed).
//
// keysDir, when set, holds the key files the run created (keys/<id>.bin): each is
// written too, 0600, into DST/keys/ by the worker of one device, before that
// device's group is flushed, as espcompose creates a device's key before its folder.
func copyBatch(src, dst, keysDir string, flush bool, jobs int) error {
	devs, top, err := loadBatch(src)
	if err != nil {
		return err
	}
	var keys []file
	if keysDir != "" {
		ents, err := os.ReadDir(keysDir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(keysDir, e.Name()))
			if err != nil {
				return err
			}
			keys = append(keys, file{rel: e.Name(), data: b, mode: 0o600})
		}
		if err := os.MkdirAll(filepath.Join(dst, "keys"), 0o700); err != nil {
			return err
		}
	}
	if len(devs) == 0 {
		return fmt.Errorf("%s holds no devices/<id>/ folders", src)
	}
	start := time.Now()
	devDir := filepath.Join(dst, "devices")
	if err := os.MkdirAll(devDir, 0o755); err != nil {
		return err
	}
	work := make(chan int)
	staged := make(chan int, 256)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var firstErr error
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if i < len(keys) {
					if err := writeNew(filepath.Join(dst, "keys", keys[i].rel), keys[i].data, keys[i].mode, false); err != nil {
						fail(err)
						continue
					}
				}
				if err := stage(devDir, &devs[i]); err != nil {
					fail(err)
					continue
				}
				staged <- i
			}
		}()
	}
	done := make(chan error)
	go func() { done <- commit(devDir, devs, staged, flush) }()
	for i := range devs {
		work <- i
	}
	close(work)
	wg.Wait()
	close(staged)
	if err := <-done; err != nil {
		fail(err)
	}
	if firstErr != nil {
		return firstErr
	}
	for _, f := range top {
		tmp := filepath.Join(dst, "."+f.rel+".tmp")
		if err := writeNew(tmp, f.data, f.mode, flush); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dst, f.rel)); err != nil {
			return err
		}
	}
	if err := syncDir(dst, flush); err != nil {
		return err
	}
	fmt.Println(strconv.FormatFloat(time.Since(start).Seconds(), 'f', 3, 64))
	return nil
}

// stage writes one device under its temporary name, unflushed.
func stage(devDir string, d *device) error {
	tmp := filepath.Join(devDir, "."+d.id+".tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	made := map[string]bool{}
	for _, f := range d.files {
		if dir := filepath.Dir(f.rel); dir != "." && !made[dir] {
			if err := os.MkdirAll(filepath.Join(tmp, dir), 0o755); err != nil {
				return err
			}
			made[dir] = true
		}
		if err := writeNew(filepath.Join(tmp, f.rel), f.data, f.mode, false); err != nil {
			return err
		}
	}
	return nil
}

// commit flushes groups of staged devices (one syncfs per group, gathered as
// espcompose's committer gathers them) and renames each into place; the renames of the last group are made durable by fsync of devices/.
func commit(devDir string, devs []device, staged <-chan int, flush bool) error {
	var err error
	for first := range staged {
		// As espcompose's committer: gather what is staged in the next 20 ms (at
		// most 256 devices), then one flush for the group.
		group := []int{first}
		deadline := time.NewTimer(20 * time.Millisecond)
	drain:
		for len(group) < 256 {
			select {
			case i, ok := <-staged:
				if !ok {
					break drain
				}
				group = append(group, i)
			case <-deadline.C:
				break drain
			}
		}
		deadline.Stop()
		if err != nil {
			continue
		}
		if flush {
			if err = syncfs(devDir); err != nil {
				continue
			}
		}
		for _, i := range group {
			id := devs[i].id
			if err = os.Rename(filepath.Join(devDir, "."+id+".tmp"), filepath.Join(devDir, id)); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	return syncDir(devDir, flush)
}

// copyFlat writes each device's output file (not its marker or record) as
// DST/<id>.<ext>, one file per device in one folder, unflushed: the least any tool
// that writes one file per device can cost on this disk (mfg_gen writes two: the
// binary and a CSV, and flushes nothing). It prints the seconds the writing took.
func copyFlat(src, dst string, jobs int) error {
	devs, _, err := loadBatch(src)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	work := make(chan int)
	errs := make(chan error, jobs)
	for range jobs {
		go func() {
			var err error
			for i := range work {
				d := &devs[i]
				for _, f := range d.files {
					if f.rel == ".espcompose-output" || f.rel == "record.json" || err != nil {
						continue
					}
					err = writeNew(filepath.Join(dst, d.id+filepath.Ext(f.rel)), f.data, f.mode, false)
				}
			}
			errs <- err
		}()
	}
	for i := range devs {
		work <- i
	}
	close(work)
	var all []error
	for range jobs {
		all = append(all, <-errs)
	}
	if err := errors.Join(all...); err != nil {
		return err
	}
	fmt.Println(strconv.FormatFloat(time.Since(start).Seconds(), 'f', 3, 64))
	return nil
}

// writeNew creates p exclusively, writes data in one call, flushes it when asked and
// closes it.
func writeNew(p string, data []byte, mode os.FileMode, flush bool) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	return write(f, data, flush)
}

// copyArchive writes each device's output files (not its marker or record) into one
// tar archive, <id>/<name> per file, then flushes it once and renames it into place:
// the least a tool that publishes a batch as one durable archive (for a flashing
// station to read) costs on this disk. It prints the seconds the writing took.
func copyArchive(src, dst string, flush bool) error {
	devs, _, err := loadBatch(src)
	if err != nil {
		return err
	}
	start := time.Now()
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)
	for _, d := range devs {
		for _, fl := range d.files {
			if fl.rel == ".espcompose-output" || fl.rel == "record.json" {
				continue
			}
			hdr := &tar.Header{Name: d.id + "/" + filepath.ToSlash(fl.rel), Mode: int64(fl.mode), Size: int64(len(fl.data)), Format: tar.FormatPAX}
			if err = tw.WriteHeader(hdr); err != nil {
				break
			}
			if _, err = tw.Write(fl.data); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = write(f, nil, flush)
	} else {
		f.Close()
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(dst), flush); err != nil {
		return err
	}
	fmt.Println(strconv.FormatFloat(time.Since(start).Seconds(), 'f', 3, 64))
	return nil
}
