package manifest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/espcompose/espcompose/internal/textpos"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"
	"github.com/zclconf/go-cty/cty"
)

// DeviceRows reads the devices CSV of a manifest: one map column → value per device,
// in file order. A manifest without a devices block has no rows. The csv attribute
// must be a constant string, because it decides how many builds there are before any
// other expression is evaluated.
func DeviceRows(fsys afero.Fs, f *File) ([]map[string]string, hcl.Diagnostics) {
	b := f.Devices
	if b == nil {
		return nil, nil
	}
	a := b.Attr("csv")
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid devices csv",
			Detail: "csv must be a constant string naming the devices file.", Subject: a.Expr.Range().Ptr()})
	}
	path := v.AsString()
	if !filepath.IsAbs(path) {
		path = filepath.Join(f.Dir, path)
	}
	bad := func(format string, args ...any) ([]map[string]string, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid devices file",
			Detail: fmt.Sprintf(format, args...), Subject: a.Expr.Range().Ptr()}}
	}
	src, err := afero.ReadFile(fsys, path)
	if err != nil {
		return bad("%s: %v.", v.AsString(), unwrapPathErr(err))
	}
	// Each value may end up in a device's NVS or certificate: text that is not UTF-8
	// would be written as it is, or mangled, without a word (Espressif's mfg_gen
	// stops on it too).
	if at, nonUTF8 := textpos.InvalidUTF8(src); nonUTF8 {
		return bad("%s:%d: not valid UTF-8 (byte offset %d); save the devices file as UTF-8.", v.AsString(), at.Line, at.Byte)
	}
	r := csv.NewReader(bytes.NewReader(src))
	header, err := r.Read()
	if err != nil {
		return bad("%s: no header row: %v.", v.AsString(), err)
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
		if header[i] == "" {
			return bad("%s:1: column %d has no name.", v.AsString(), i+1)
		}
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		// The reader knows the line (a quoted value may span several).
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return bad("%s:%d: %v.", v.AsString(), pe.Line, pe.Err)
		}
		if err != nil {
			return bad("%s: %v.", v.AsString(), err)
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return bad("%s lists no devices.", v.AsString())
	}
	return rows, nil
}

func validDeviceID(id string) bool {
	if id == "" || id == "." || id == ".." {
		return false
	}
	for _, c := range id {
		if !(c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
