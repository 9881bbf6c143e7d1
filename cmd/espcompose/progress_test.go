package main

import (
	"io"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/logx"
	"github.com/espcompose/espcompose/stages"
)

// A bar is drawn only on an interactive terminal, and not where redrawing a line would
// litter the output: TERM=dumb, CI logs, --json, -v.
func TestProgressBarOnlyWhereItCanRedraw(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		tty     bool
		json    bool
		verbose bool
		bar     bool
	}{
		{name: "terminal", tty: true, bar: true},
		{name: "pipe"},
		{name: "dumb terminal", tty: true, env: map[string]string{"TERM": "dumb"}},
		{name: "CI", tty: true, env: map[string]string{"CI": "true"}},
		{name: "json", tty: true, json: true},
		{name: "verbose", tty: true, verbose: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb strings.Builder
			a := &app{
				stderr:   &errb,
				getenv:   func(k string) string { return tc.env[k] },
				terminal: func(io.Writer) (bool, int) { return tc.tty, 80 },
				json:     tc.json,
				verbose:  tc.verbose,
				log:      logx.New(io.Discard, false),
			}
			if got := a.drawsBars(); got != tc.bar {
				t.Fatalf("drawsBars = %v, want %v", got, tc.bar)
			}
			step := a.progress(2)
			step("stage.a", stages.StatusRan)
			step("stage.b", stages.StatusCached)
			show := a.batchProgress()
			show(compose.BatchProgress{Done: 1, Total: 2})
			show(compose.BatchProgress{Done: -1})
			drawn := strings.Contains(errb.String(), "\r")
			if drawn != tc.bar {
				t.Errorf("bar drawn = %v, want %v: %q", drawn, tc.bar, errb.String())
			}
		})
	}
}
