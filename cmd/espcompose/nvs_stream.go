package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

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

// encodeNVS runs an `nvs encode` as a pipeline: this goroutine reads and parses the
// CSV files, handing the rows over in batches (nvs.CSVImporter.Stream); a second
// lays the rows out as they come (nvs.Layout); a third writes each stretch of pages
// that can no longer change into the output's temporary file, which this goroutine
// creates once the first CSV is read. A process making a 384 KB image of 5,000 rows
// spends most of its time, after its start, on these, and on two cores they overlap.
// The image is the one Encode makes of the whole partition, published as writeOutput
// publishes (guard, atomic, durable); a failed command leaves nothing behind and
// reports what the one-pass command reported, in the same order.
func (a *app) encodeNVS(job nvsJob) error {
	s := a.startNVSStream(job)
	defer s.stop()
	im := nvs.NewCSVImporter(nil)
	im.Version = job.opts.Version // length errors name their CSV line
	im.Stream = s.send
	for i, in := range job.inputs {
		src, err := a.readInputString(in)
		if err != nil {
			return err
		}
		if i == 0 {
			s.begin(job.out != "-")
		}
		im.Files = aferoDirFS{fs: a.fs, dir: filepath.Dir(in)}
		if err := im.AddString(src, in); err != nil {
			return usageError{err}
		}
	}
	img, err := s.finish()
	if err != nil {
		// What is left here is about the partition as a whole: its size.
		return usageError{fmt.Errorf("--size %s: %w", job.size, err)}
	}
	return a.publishNVS(job, func() error { return s.commit(img) })
}

// readInputString is readInput into a string: a strings.Builder sized from the file
// takes the bytes straight from the read, where string(readInput(...)) would copy
// them once more (a fresh process pays for each page of that copy).
func (a *app) readInputString(path string) (string, error) {
	var sb strings.Builder
	var err error
	if path == "-" {
		_, err = io.Copy(&sb, a.stdin)
		return sb.String(), err
	}
	f, err := a.fs.Open(path)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && st.Size() < 1<<30 {
			sb.Grow(int(st.Size()) + 1) // +1: the read that finds the end
		}
		_, err = io.Copy(&sb, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return "", usageError{fmt.Errorf("read %s: %w", path, unwrapPath(err))}
	}
	return sb.String(), nil
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

// nvsStream lays out and writes an image while the CSV is parsed: one goroutine lays
// the rows out, another writes the image into the output's temporary file as it
// becomes final, so writing takes no time from the layout, which is as slow as the
// parse that feeds it.
type nvsStream struct {
	a       *app
	out     string
	open    chan struct{} // closed by begin: the file is created, or will not be
	opened  bool
	batches chan nvs.Batch   // parser -> layout
	free    chan []nvs.Entry // layout -> parser: batches laid out, to fill again
	final   chan []byte      // layout -> writer: the image up to where it is final
	laidOut chan error       // the layout's end: its error
	wrote   chan error       // the writer's end: its error
	layout  *nvs.Layout
	file    *fsutil.Pending // nil when not begun, or when creating it failed
	created []string        // folders made for the output
	written int             // leading bytes of the image already in the file
	ioErr   error           // creating or writing the file failed; reported by commit
	waited  bool            // both goroutines have ended
	kept    bool            // the file was published
}

// startNVSStream starts the layout goroutine, which sets the image up while the
// first CSV is read, and the writer, which waits for begin.
func (a *app) startNVSStream(job nvsJob) *nvsStream {
	s := &nvsStream{a: a, out: job.out, open: make(chan struct{}),
		batches: make(chan nvs.Batch, 16), free: make(chan []nvs.Entry, 4), final: make(chan []byte, 16),
		laidOut: make(chan error, 1), wrote: make(chan error, 1)}
	go s.lay(job.opts)
	go s.write()
	return s
}

// begin creates the output's temporary file once the first input is read (and so
// known to the guard), if the guard as it stands agrees: when it would refuse, the
// file is not begun, and writeOutput reports the refusal after the rows, where the
// one-pass command did. A failure to create it is kept for commit to report, since a
// row error found later must still win. Then the writer may start. (Creating the
// file here, before the parse, measured 0.5-0.9 ms faster than on the writer, which
// shares a core with the layout while the parse runs.)
func (s *nvsStream) begin(file bool) {
	if s.opened {
		return
	}
	s.opened = true
	if file && s.a.checkOutputFile(s.out) == nil {
		s.created, s.ioErr = fsutil.MkdirAllTracked(s.a.fs, filepath.Dir(s.out), 0o755)
		if s.ioErr == nil {
			s.file, s.ioErr = fsutil.CreatePending(s.a.fs, s.out, 0o644)
		}
	}
	close(s.open)
}

// send hands a batch to the layout and returns one it is done with, if any.
func (s *nvsStream) send(b nvs.Batch) []nvs.Entry {
	s.batches <- b
	select {
	case e := <-s.free:
		return e
	default:
		return nil
	}
}

// lay lays the batches out and hands the writer each stretch that becomes final.
// After an error the rest is drained unread.
func (s *nvsStream) lay(opts nvs.Options) {
	// A bad size or version is reported after the rows, as Encode reports it.
	l, err := nvs.NewLayout(opts)
	s.layout = l
	sent := 0
	for b := range s.batches {
		if err != nil {
			continue
		}
		if b.Begins {
			err = l.Namespace(b.Namespace)
		}
		for i := 0; i < len(b.Entries) && err == nil; i++ {
			err = l.Put(&b.Entries[i])
		}
		select {
		case s.free <- b.Entries:
		default:
		}
		if img, n := l.Final(); err == nil && n-sent >= nvsWriteChunk {
			s.final <- img[:n]
			sent = n
		}
	}
	close(s.final)
	s.laidOut <- err
}

// write writes what the layout hands over into the file begin created. A failure is
// kept for commit to report, since a row error found later must still win.
func (s *nvsStream) write() {
	<-s.open
	err := s.ioErr
	for img := range s.final {
		if s.file != nil && err == nil {
			err = s.file.WriteAt(img[s.written:], int64(s.written))
			s.written = len(img)
		}
	}
	s.wrote <- err
}

// wait ends both goroutines: every batch handed over is laid out (or drained) and
// what became final is written. It returns the layout's error.
func (s *nvsStream) wait() error {
	if s.waited {
		return nil
	}
	s.begin(false)
	close(s.batches)
	s.waited = true
	err := <-s.laidOut
	if werr := <-s.wrote; s.ioErr == nil {
		s.ioErr = werr
	}
	return err
}

// finish waits for the layout of every row handed over and returns the image.
func (s *nvsStream) finish() ([]byte, error) {
	if err := s.wait(); err != nil {
		return nil, err
	}
	return s.layout.Finish()
}

// commit writes the rest of the image and publishes the file, once the guard, which
// now knows every file the command read, agrees. Without a file begun it is
// writeOutput's to do.
func (s *nvsStream) commit(img []byte) error {
	if s.ioErr != nil {
		return s.ioErr
	}
	if s.file == nil {
		return s.a.writeOutput(s.out, img)
	}
	if err := s.a.checkOutputFile(s.out); err != nil {
		return err
	}
	if err := s.file.WriteAt(img[s.written:], int64(s.written)); err != nil {
		return err
	}
	err := s.file.Commit()
	s.file = nil // published, or removed by Commit
	s.kept = err == nil
	return err
}

// stop ends the goroutines if the command failed before they did, and removes what
// the command created but did not publish.
func (s *nvsStream) stop() {
	s.wait()
	if s.file != nil {
		s.file.Abort()
	}
	if s.kept {
		return
	}
	fsutil.RemoveCreated(s.a.fs, s.created)
}
