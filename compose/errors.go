package compose

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
)

// UsageError is a mistake the caller must fix: a flag-level choice (--device,
// --signatures, SOURCE_DATE_EPOCH) that does not fit the manifest. The CLI exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// DiagnosticsError is a manifest (or one of its inputs) that cannot be built. The
// diagnostics were already given to Options.OnDiagnostics.
type DiagnosticsError struct{ Diags hcl.Diagnostics }

func (e *DiagnosticsError) Error() string { return e.Diags.Error() }

// unwrapPath drops the operation and path of a *os.PathError, for messages that
// already name the path.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
