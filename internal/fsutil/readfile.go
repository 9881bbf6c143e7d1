package fsutil

import (
	"io"

	"github.com/spf13/afero"
)

// ReadFile reads name into one buffer of the size the file has when opened, where
// afero.ReadFile allocates (and zeroes) half a kilobyte more and can grow. A file
// that grew since it was measured is still read whole.
func ReadFile(fsys afero.Fs, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if !st.Mode().IsRegular() || size <= 0 || size > 1<<30 {
		return io.ReadAll(f) // no reliable size: let it grow
	}
	data := make([]byte, size)
	n, err := io.ReadFull(f, data)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return data[:n], nil // shrank since it was measured
	}
	if err != nil {
		return nil, err
	}
	var one [1]byte
	if k, _ := f.Read(one[:]); k == 0 {
		return data, nil // the usual case: exactly the size measured
	}
	rest, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return append(append(data, one[0]), rest...), nil
}
