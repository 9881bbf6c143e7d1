package manifest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"unicode/utf8"

	"github.com/spf13/afero"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// functions returns the manifest's function table. File functions read through fsys,
// relative to dir, so tests run on an in-memory filesystem.
func functions(fsys afero.Fs, dir string) map[string]function.Function {
	read := func(p string) ([]byte, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return afero.ReadFile(fsys, p)
	}
	strArg := []function.Parameter{{Name: "path", Type: cty.String}}
	return map[string]function.Function{
		"file": function.New(&function.Spec{
			Params: strArg, Type: function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				b, err := read(args[0].AsString())
				if err != nil {
					return cty.NilVal, fmt.Errorf("cannot read %q: %w", args[0].AsString(), unwrapPathErr(err))
				}
				if !utf8.Valid(b) {
					return cty.NilVal, fmt.Errorf("%q is not UTF-8 text; use filebase64() for binary files", args[0].AsString())
				}
				return cty.StringVal(string(b)), nil
			},
		}),
		"filebase64": function.New(&function.Spec{
			Params: strArg, Type: function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				b, err := read(args[0].AsString())
				if err != nil {
					return cty.NilVal, fmt.Errorf("cannot read %q: %w", args[0].AsString(), unwrapPathErr(err))
				}
				return cty.StringVal(base64.StdEncoding.EncodeToString(b)), nil
			},
		}),
		"filesha256": function.New(&function.Spec{
			Params: strArg, Type: function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				b, err := read(args[0].AsString())
				if err != nil {
					return cty.NilVal, fmt.Errorf("cannot read %q: %w", args[0].AsString(), unwrapPathErr(err))
				}
				sum := sha256.Sum256(b)
				return cty.StringVal(hex.EncodeToString(sum[:])), nil
			},
		}),
		"sha256": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "str", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				sum := sha256.Sum256([]byte(args[0].AsString()))
				return cty.StringVal(hex.EncodeToString(sum[:])), nil
			},
		}),
		"format":     stdlib.FormatFunc,
		"concat":     stdlib.ConcatFunc,
		"lookup":     stdlib.LookupFunc,
		"csvdecode":  stdlib.CSVDecodeFunc,
		"jsondecode": stdlib.JSONDecodeFunc,
		"jsonencode": stdlib.JSONEncodeFunc,
		"upper":      stdlib.UpperFunc,
		"lower":      stdlib.LowerFunc,
		"join":       stdlib.JoinFunc,
		"split":      stdlib.SplitFunc,
		"replace":    stdlib.ReplaceFunc,
		"trimspace":  stdlib.TrimSpaceFunc,
		"length":     stdlib.LengthFunc,
		"min":        stdlib.MinFunc,
		"max":        stdlib.MaxFunc,
		"merge":      stdlib.MergeFunc,
		"element":    stdlib.ElementFunc,
	}
}

// unwrapPathErr drops the repeated path from *PathError so messages name the file once.
func unwrapPathErr(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}
