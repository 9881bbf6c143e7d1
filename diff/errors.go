package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// InputError is bad input: a release that cannot be read. It names the file and, when
// it is about one line, the line (1-based), as the other commands' errors do.
type InputError struct {
	File string
	Line int
	Err  error
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(file string, line int, format string, args ...any) error {
	return &InputError{File: file, Line: line, Err: fmt.Errorf(format, args...)}
}

// jsonError turns a JSON decoding error into an InputError on the line at fault.
func jsonError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &InputError{File: file, Line: lineAt(data, se.Offset), Err: err}
	case errors.As(err, &te):
		return &InputError{File: file, Line: lineAt(data, te.Offset), Err: err}
	}
	return &InputError{File: file, Err: err}
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
