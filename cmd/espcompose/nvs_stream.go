package main

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/fsutil"
)

// nvsJob is one `nvs encode`: its CSV files, the output and the layout options.
type nvsJob struct {
	inputs []string
	out    string
	size   string // --size as given, for messages
	opts   nvs.Options
	// keysOut, when set, receives the key partition once the image is laid out,
	// before the image is published; it is removed again if the image fails.
	keysOut string
}

// nvsWriteChunk is how much of the image the layout lets become final before it is
// written out: large enough that the writes are few.
const nvsWriteChunk = 64 << 10

// encodeNVS runs an `nvs encode` on two goroutines: this one reads and parses the
// CSV files, handing the rows over in batches (nvs.CSVImporter.Stream); the other
// creates the output's temporary file, lays the rows out as they come (nvs.Layout)
// and writes each stretch of pages that can no longer change. Parsing, layout and the
// write overlap, which a process making a 384 KB image from 5,000 rows spends most
// of its time on after its start. The result is the image Encode makes of the whole
// partition, published as writeOutput publishes (guard, atomic and durable); a failed
// command leaves nothing behind and reports what the one-pass command reported.
func (a *app) encodeNVS(job nvsJob) error {
	im := nvs.NewCSVImporter(nil)
	im.Version = job.opts.Version // length errors name their CSV line
	var s *nvsStream
	defer func() {
		if s != nil {
			s.stop()
		}
	}()
	for i, in := range job.inputs {
		src, err := a.readInput(in)
		if err != nil {
			return err
		}
		if i == 0 {
			s = a.startNVSStream(job)
			if s != nil {
				im.Stream = s.send
			}
		}
		im.Files = aferoDirFS{fs: a.fs, dir: filepath.Dir(in)}
		if err := im.Add(bytes.NewReader(src), in); err != nil {
			return usageError{err}
		}
	}
	if s == nil {
		img, err := nvs.Encode(im.Partition(), job.opts)
		if err != nil {
			// What is left here is about the partition as a whole: its size.
			return usageError{fmt.Errorf("--size %s: %w", job.size, err)}
		}
		return a.publishNVS(job, func() error { return a.writeOutput(job.out, img) })
	}
	img, err := s.finish()
	if err != nil {
		return usageError{fmt.Errorf("--size %s: %w", job.size, err)}
	}
	return a.publishNVS(job, func() error { return s.commit(img) })
}

// publishNVS writes the key partition --keys-out asks for, then the image; keys for
// an image that failed are removed again.
func (a *app) publishNVS(job nvsJob, writeImage func() error) error {
	if job.keysOut != "" {
		part := job.opts.Keys.MarshalPartition()
		err := a.writeSecret("--keys-out", job.keysOut, part)
		clear(part)
		if err != nil {
			return err
		}
	}
	if err := writeImage(); err != nil {
		if job.keysOut != "" {
			// Keys for an image that does not exist are useless, and this command
			// created the file moments ago.
			_ = a.fs.Remove(job.keysOut)
		}
		return err
	}
	return nil
}

// nvsStream is the goroutine laying out and writing an image while the CSV is parsed.
type nvsStream struct {
	a       *app
	out     string
	batches chan nvs.Batch
	done    chan nvsStreamResult
	layout  *nvs.Layout
	file    *fsutil.Pending
	created []string // folders made for the output
	written int      // leading bytes of the image already in the file
	ioErr   error    // creating or writing the file failed; reported by commit
	waited  bool     // the goroutine has ended
	kept    bool     // the file was published
}

type nvsStreamResult struct{ layoutErr, ioErr error }

// startNVSStream starts the layout goroutine, or returns nil when the image is better
// made in one pass: written to stdout, or an output the guard would refuse as things
// stand (the one-pass path then reports the refusal where it always did).
func (a *app) startNVSStream(job nvsJob) *nvsStream {
	if job.out == "-" || a.checkOutputFile(job.out) != nil {
		return nil
	}
	s := &nvsStream{a: a, out: job.out, batches: make(chan nvs.Batch, 16), done: make(chan nvsStreamResult, 1)}
	go s.run(job.opts)
	return s
}

func (s *nvsStream) send(b nvs.Batch) { s.batches <- b }

// run lays the batches out and writes what becomes final. After a layout error the
// rest is drained unread; a failure to create or write the file is kept for commit to
// report, since a row error found later must still win.
func (s *nvsStream) run(opts nvs.Options) {
	var r nvsStreamResult
	// A bad size or version is reported after the rows, as Encode reports it.
	s.layout, r.layoutErr = nvs.NewLayout(opts)
	if r.layoutErr == nil {
		s.created, r.ioErr = fsutil.MkdirAllTracked(s.a.fs, filepath.Dir(s.out), 0o755)
	}
	if r.layoutErr == nil && r.ioErr == nil {
		s.file, r.ioErr = fsutil.CreatePending(s.a.fs, s.out, 0o644)
	}
	for b := range s.batches {
		if r.layoutErr != nil {
			continue
		}
		if b.Begins {
			r.layoutErr = s.layout.Namespace(b.Namespace)
		}
		for i := 0; i < len(b.Entries) && r.layoutErr == nil; i++ {
			r.layoutErr = s.layout.Put(&b.Entries[i])
		}
		if img, n := s.layout.Final(); r.ioErr == nil && r.layoutErr == nil && n-s.written >= nvsWriteChunk {
			r.ioErr = s.file.WriteAt(img[s.written:n], int64(s.written))
			s.written = n
		}
	}
	s.done <- r
}

// wait ends the goroutine: every batch handed over is laid out (or drained).
func (s *nvsStream) wait() nvsStreamResult {
	if s.waited {
		return nvsStreamResult{}
	}
	close(s.batches)
	s.waited = true
	return <-s.done
}

// finish waits for the layout of every row handed over and returns the image.
func (s *nvsStream) finish() ([]byte, error) {
	r := s.wait()
	s.ioErr = r.ioErr
	if r.layoutErr != nil {
		return nil, r.layoutErr
	}
	return s.layout.Finish()
}

// commit writes the rest of the image and publishes the file, once the guard, which
// now knows every file the command read, agrees.
func (s *nvsStream) commit(img []byte) error {
	if s.ioErr != nil {
		return s.ioErr
	}
	if err := s.a.checkOutputFile(s.out); err != nil {
		return err
	}
	if err := s.file.WriteAt(img[s.written:], int64(s.written)); err != nil {
		return err
	}
	s.kept = true
	if err := s.file.Commit(); err != nil {
		s.file = nil // Commit removed it
		s.kept = false
		return err
	}
	return nil
}

// stop ends the goroutine if the command failed before it did, and removes what the
// command created but did not publish.
func (s *nvsStream) stop() {
	s.wait()
	if s.kept {
		return
	}
	if s.file != nil {
		s.file.Abort()
	}
	fsutil.RemoveCreated(s.a.fs, s.created)
}
