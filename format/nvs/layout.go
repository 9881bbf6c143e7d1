package nvs

import "fmt"

// Layout lays out an NVS partition one namespace and entry at a time, in the order
// Encode takes them from a Partition, so the image is the same bytes. It lets a
// caller encode while it is still reading its input (the CSV importer hands rows over
// in batches, see CSVImporter.Stream) and write the pages that can no longer change
// before the last entry is in (Final).
type Layout struct {
	w         writer
	keys      *Keys
	version   int
	dataPages int
	readOnly  bool
	size      uint32
	names     map[string]bool
	ns        int    // namespaces begun; the latest has index ns
	nsName    string // the latest namespace's name, for messages
	sealed    int    // leading pages made final (marked, encrypted)
	err       error
}

// NewLayout starts an image for opts: it checks the size and version as Encode does.
func NewLayout(opts Options) (*Layout, error) {
	version := opts.Version
	if version == 0 {
		version = 2
	}
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("%w: %d (want 1 or 2)", ErrVersion, version)
	}
	dataPages, readOnly, err := checkSize(opts.Size)
	if err != nil {
		return nil, err
	}
	l := &Layout{keys: opts.Keys, version: version, dataPages: dataPages, readOnly: readOnly, size: opts.Size, names: map[string]bool{}}
	l.w = writer{versionByte: versionByteV2, v2: version == 2}
	if !l.w.v2 {
		l.w.versionByte = versionByteV1
	}
	// Read-write images are opts.Size bytes; read-only ones hold only the pages
	// written, at most dataPages. Pages are erased as they are opened, so the
	// layout starts at once, and a caller writing pages early touches no more
	// memory than it has written; Finish erases the rest.
	if readOnly {
		l.w.out = make([]byte, dataPages*PageSize)
	} else {
		l.w.out = make([]byte, opts.Size)
	}
	l.w.nextPage()
	return l, nil
}

// Namespace begins a namespace: its index entry, and the namespace the entries Put
// next belong to.
func (l *Layout) Namespace(name string) error {
	if l.err != nil {
		return l.err
	}
	if l.ns >= MaxNamespaces {
		return l.fail(fmt.Errorf("%w: %d given", ErrTooManyNS, l.ns+1))
	}
	if err := checkKey(name); err != nil {
		return l.fail(fmt.Errorf("namespace: %w", err))
	}
	if l.names[name] {
		return l.fail(fmt.Errorf("%w: %q", ErrDuplicateNS, name))
	}
	l.names[name] = true
	l.begin(name)
	return nil
}

// begin writes a namespace's index entry, the name already checked.
func (l *Layout) begin(name string) {
	l.ns++
	l.nsName = name
	l.w.putInteger(nsIndexTable, name, U8, uint64(l.ns))
}

// Put adds an entry to the latest namespace, checked against the format's limits as
// Partition.Validate checks it.
func (l *Layout) Put(e *Entry) error {
	if l.err != nil {
		return l.err
	}
	if l.ns == 0 {
		return l.fail(fmt.Errorf("%w: key `%s` comes before any namespace", ErrCSV, e.Key))
	}
	if err := checkEntry(e, l.version); err != nil {
		return l.fail(fmt.Errorf("namespace %q: %w", l.nsName, err))
	}
	return l.put(e)
}

// put adds an entry already checked.
func (l *Layout) put(e *Entry) error {
	if err := l.w.putEntry(uint8(l.ns), e); err != nil {
		return l.fail(err)
	}
	return nil
}

func (l *Layout) fail(err error) error {
	l.err = err
	return err
}

// Final returns the image and how many of its leading bytes are final: pages that
// later entries cannot change (already marked FULL, and encrypted when the image is),
// so a caller may write them out while entries still come. The bytes after them are
// the image's only once Finish returns.
func (l *Layout) Final() ([]byte, int) {
	l.seal(len(l.w.pages) - 1)
	return l.w.out, min(l.sealed, l.dataPages) * PageSize
}

// seal encrypts the pages before page n that are not yet, once no entry can reach them.
func (l *Layout) seal(n int) {
	for ; l.sealed < n; l.sealed++ {
		if l.keys != nil && l.sealed < l.dataPages {
			pg := l.w.pages[l.sealed]
			l.keys.encryptPage(pg.buf, l.sealed, pg.used)
		}
	}
}

// Finish closes the layout and returns the image: opts.Size bytes for read-write
// images, the written pages for read-only ones. It fails as Encode does when the
// entries need more pages than the partition has.
func (l *Layout) Finish() ([]byte, error) {
	if l.err != nil {
		return nil, l.err
	}
	if len(l.w.pages) > l.dataPages {
		need := len(l.w.pages)
		if !l.readOnly {
			need++
		}
		reserved := " incl. the reserved page"
		if l.readOnly {
			reserved = ""
		}
		return nil, l.fail(fmt.Errorf("%w: Size parameter is less than the size of data in csv: need %d pages (%#x bytes%s), got %#x",
			ErrInsufficientSize, need, need*PageSize, reserved, l.size))
	}
	l.seal(len(l.w.pages))
	if l.readOnly {
		return l.w.out[:len(l.w.pages)*PageSize], nil
	}
	erase(l.w.out[len(l.w.pages)*PageSize:]) // pages never opened, and the reserved one
	return l.w.out, nil
}
