package compose

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"
	"github.com/zclconf/go-cty/cty"

	"github.com/espcompose/espcompose/manifest"
)

// rowReader streams the devices CSV one row at a time, so a batch of any size holds
// one row in memory, not the file. Its messages are manifest.DeviceRows' own (the
// same file:line), which Load still uses for validate and plan.
type rowReader struct {
	f      afero.File
	r      *csv.Reader
	name   string // as the manifest writes it, for messages
	header []string
	line   int // line of the row last read
	subj   *hcl.Range
}

// openRows opens the devices CSV of f and reads its header.
func openRows(fsys afero.Fs, f *manifest.File) (*rowReader, hcl.Diagnostics) {
	a := f.Devices.Attr("csv")
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid devices csv",
			Detail: "csv must be a constant string naming the devices file.", Subject: a.Expr.Range().Ptr()})
	}
	rr := &rowReader{name: v.AsString(), subj: a.Expr.Range().Ptr(), line: 1}
	path := rr.name
	if !filepath.IsAbs(path) {
		path = filepath.Join(f.Dir, path)
	}
	fl, err := fsys.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, rr.bad("%s: %v.", rr.name, err)
	}
	rr.f = fl
	rr.r = csv.NewReader(bufio.NewReaderSize(fl, 64<<10))
	rr.r.ReuseRecord = true
	header, err := rr.r.Read()
	if err != nil {
		fl.Close()
		return nil, rr.bad("%s: no header row: %v.", rr.name, err)
	}
	rr.header = make([]string, len(header))
	for i, h := range header {
		rr.header[i] = strings.TrimSpace(h)
		if rr.header[i] == "" {
			fl.Close()
			return nil, rr.bad("%s:1: column %d has no name.", rr.name, i+1)
		}
	}
	return rr, nil
}

func (rr *rowReader) bad(format string, args ...any) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid devices file",
		Detail: fmt.Sprintf(format, args...), Subject: rr.subj}}
}

// next returns the next row (column → value), or nil at the end of the file.
func (rr *rowReader) next() (map[string]string, hcl.Diagnostics) {
	rec, err := rr.r.Read()
	rr.line++
	if err == io.EOF {
		if rr.line == 2 {
			return nil, rr.bad("%s lists no devices.", rr.name)
		}
		return nil, nil
	}
	if err != nil {
		return nil, rr.bad("%s:%d: %v.", rr.name, rr.line, err)
	}
	row := make(map[string]string, len(rr.header))
	for i, h := range rr.header {
		row[h] = strings.TrimSpace(rec[i])
	}
	return row, nil
}

func (rr *rowReader) Close() { rr.f.Close() }
