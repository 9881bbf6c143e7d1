package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// nonTTYWidth is where diagnostics wrap their detail when stderr is not a terminal
// (a log, a pipe): wide enough for a CI log, stable for tests.
const nonTTYWidth = 100

// realTerminal says whether w is an interactive terminal, and its width in columns
// (0 when unknown).
func realTerminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		width = 0
	}
	return true, width
}

// stderrTerminal is realTerminal for stderr, or the app's stand-in (tests).
func (a *app) stderrTerminal() (bool, int) {
	if a.terminal != nil {
		return a.terminal(a.stderr)
	}
	return realTerminal(a.stderr)
}

// color says whether diagnostics on stderr may use ANSI colour: only on a terminal,
// never with --no-color, a non-empty NO_COLOR (https://no-color.org) or TERM=dumb.
func (a *app) color() bool {
	if a.noColor {
		return false
	}
	if a.getenv != nil && (a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb") {
		return false
	}
	tty, _ := a.stderrTerminal()
	return tty
}

// diagWidth is the width diagnostics wrap at: the terminal's, or nonTTYWidth.
func (a *app) diagWidth() uint {
	if tty, w := a.stderrTerminal(); tty && w > 0 {
		return uint(w)
	}
	return nonTTYWidth
}
