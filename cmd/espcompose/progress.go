package main

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/espcompose/espcompose/stages"
)

// progress shows a bar on an interactive terminal; logs (-v), --json and pipes get none,
// so machine output stays clean.
func (a *app) progress(total int) func(id string, st stages.Status) {
	f, ok := a.stderr.(*os.File)
	if !ok || a.verbose || a.json || !term.IsTerminal(int(f.Fd())) {
		return func(id string, st stages.Status) { a.log.Debugf("%-8s %s", st, id) }
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("building"),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionShowCount(),
	)
	return func(id string, st stages.Status) {
		bar.Describe(id)
		_ = bar.Add(1)
	}
}
