// Package logx is the project's single logging seam. Everything else logs
// through the small Logger interface so the backend (logrus) stays
// replaceable and tests can pass Discard or a buffer.
package logx

import (
	"io"

	"github.com/sirupsen/logrus"
)

// Logger is the only logging API the rest of the project sees. It is kept
// deliberately tiny: printf-style methods at four levels.
type Logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
	Errorf(format string, args ...any)
}

// New returns a Logger writing logrus text lines ("level=info msg=...") to w.
// Timestamps and colours are disabled so output is byte-for-byte
// reproducible, which keeps golden tests and CI logs stable. Debug lines are
// emitted only when verbose is true. The returned Logger is safe for
// concurrent use.
func New(w io.Writer, verbose bool) Logger {
	l := logrus.New()
	l.SetOutput(w)
	l.SetFormatter(&logrus.TextFormatter{
		DisableTimestamp: true,
		DisableColors:    true,
		// Sorting is the default for non-TTY output; set it explicitly so
		// field order can never depend on the terminal.
		DisableSorting: false,
	})
	l.SetLevel(logrus.InfoLevel)
	if verbose {
		l.SetLevel(logrus.DebugLevel)
	}
	return &logger{l: l}
}

// logger hides the logrus type so callers cannot reach past the seam.
type logger struct{ l *logrus.Logger }

func (g *logger) Debugf(format string, args ...any) { g.l.Debugf(format, args...) }
func (g *logger) Infof(format string, args ...any)  { g.l.Infof(format, args...) }
func (g *logger) Warnf(format string, args ...any)  { g.l.Warnf(format, args...) }
func (g *logger) Errorf(format string, args ...any) { g.l.Errorf(format, args...) }

// Discard returns a Logger that drops everything; use it as the default when
// a caller passes no logger.
func Discard() Logger { return discard{} }

type discard struct{}

func (discard) Debugf(string, ...any) {}
func (discard) Infof(string, ...any)  {}
func (discard) Warnf(string, ...any)  {}
func (discard) Errorf(string, ...any) {}

// OrDiscard returns l, or Discard() when l is nil, so constructors can accept
// an optional Logger without nil checks at every call site.
func OrDiscard(l Logger) Logger {
	if l == nil {
		return Discard()
	}
	return l
}
