// Command floor is the least a durable, atomic publish of given bytes can cost: what
// espcompose's own work is measured against in bench/run.sh. It computes nothing; it
// copies bytes an earlier espcompose run made, with the same durability espcompose
// gives its outputs.
//
//	floor file SRC DST [nosync]    read SRC; write DST's temporary sibling, fsync it,
//	                               rename it to DST, fsync DST's folder
//	floor tree SRCDIR DST [nosync] copy the tree into DST's temporary sibling folder,
//	                               then fsync every file and folder once, rename the
//	                               folder to DST, fsync DST's parent
//	floor batch SRCDIR DST [nosync] [jobs=N] [keys=DIR]
//	                               write the device folders of an espcompose batch tree
//	                               as its batch publishes them (temporary folder per
//	                               device, one syncfs per group of staged devices, then
//	                               the renames; N workers, default 2) and the top-level
//	                               index files, plus DIR's key files (0600) if given;
//	                               prints the seconds the writing took
//	floor flat SRCDIR DST [jobs=N] each device's output file (no marker, no record)
//	                               as DST/<id>.<ext>, unflushed: the least any tool
//	                               writing one file per device costs; prints seconds
//	floor archive SRCDIR DST.tar [nosync]
//	                               each device's output files (no marker, no record)
//	                               into one tar archive, flushed once and renamed into
//	                               place: the least a one-archive-per-batch output
//	                               costs; prints seconds
//
// With "nosync" nothing is flushed: the difference is what the disk flush costs.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	usage := func() {
		fmt.Fprintln(os.Stderr, "usage: floor file|tree|batch|flat|archive SRC DST [nosync] [jobs=N] [keys=DIR]")
		os.Exit(2)
	}
	if len(os.Args) < 4 {
		usage()
	}
	flush, jobs, keys := true, 2, ""
	for _, a := range os.Args[4:] {
		switch {
		case a == "nosync":
			flush = false
		case strings.HasPrefix(a, "keys="):
			keys = strings.TrimPrefix(a, "keys=")
		case strings.HasPrefix(a, "jobs="):
			n, err := strconv.Atoi(strings.TrimPrefix(a, "jobs="))
			if err != nil || n < 1 {
				usage()
			}
			jobs = n
		default:
			usage()
		}
	}
	var err error
	switch os.Args[1] {
	case "file":
		err = copyFile(os.Args[2], os.Args[3], flush)
	case "tree":
		err = copyTree(os.Args[2], os.Args[3], flush)
	case "batch":
		err = copyBatch(os.Args[2], os.Args[3], keys, flush, jobs)
	case "archive":
		err = copyArchive(os.Args[2], os.Args[3], flush)
	case "flat":
		err = copyFlat(os.Args[2], os.Args[3], jobs)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func copyFile(src, dst string, flush bool) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := write(f, b, flush); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst), flush)
}

func copyTree(src, dst string, flush bool) error {
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp")
	// As espcompose publishes: every file written first, then each file and
	// folder flushed once, then the swap.
	var dirs []string
	var files []*os.File
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		t := filepath.Join(tmp, rel)
		if d.IsDir() {
			dirs = append(dirs, t)
			return os.Mkdir(t, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(t, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		files = append(files, f)
		_, err = f.Write(b)
		return err
	})
	if err == nil {
		err = syncAll(files, flush)
	}
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := syncDir(d, flush); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst), flush)
}

// syncAll flushes the files on two threads, once all are written (espcompose
// flushes each as soon as it is written: the same durability).
func syncAll(files []*os.File, flush bool) error {
	if !flush {
		return nil
	}
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		go func() {
			var err error
			for i := w; i < len(files); i += 2 {
				if e := files[i].Sync(); err == nil {
					err = e
				}
			}
			errs <- err
		}()
	}
	return errors.Join(<-errs, <-errs)
}

// write writes b to f in one call, flushes it when asked, and closes it.
func write(f *os.File, b []byte, flush bool) error {
	_, err := f.Write(b)
	if err == nil && flush {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string, flush bool) error {
	if !flush {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
