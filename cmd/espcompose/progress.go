package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/espcompose/espcompose/compose"
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

// batchInterval is how often a device batch prints a progress line where there is
// no terminal to draw a bar on (CI logs, pipes).
const batchInterval = 10 * time.Second

// batchProgress shows a device batch's progress: on a terminal a bar with devices/s
// and the time left; elsewhere (CI, pipes, -v) a plain line every batchInterval, so a
// long batch in a CI log shows it is alive without one line per device. --json prints
// nothing but the report. Done < 0 ends it.
func (a *app) batchProgress() func(compose.BatchProgress) {
	if a.json {
		return func(compose.BatchProgress) {}
	}
	f, ok := a.stderr.(*os.File)
	tty := ok && !a.verbose && a.getenv("CI") == "" && term.IsTerminal(int(f.Fd()))
	if !tty {
		last := time.Now()
		return func(p compose.BatchProgress) {
			if p.Done < 0 || time.Since(last) < batchInterval {
				return
			}
			last = time.Now()
			fmt.Fprintf(a.stderr, "espcompose: %s\n", progressLine(p))
		}
	}
	var bar *progressbar.ProgressBar
	return func(p compose.BatchProgress) {
		if p.Done < 0 {
			if bar != nil {
				_ = bar.Finish()
			}
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(p.Total,
				progressbar.OptionSetWriter(f),
				progressbar.OptionSetDescription("devices"),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("devices"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond),
			)
		}
		_ = bar.Set(p.Done)
	}
}

// progressLine is one plain progress line: done of total, how many rebuilt, the rate
// and the time left at that rate.
func progressLine(p compose.BatchProgress) string {
	rate := 0.0
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = float64(p.Done) / s
	}
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%d/%d devices (%d rebuilt, %d up to date), %.1f devices/s, %s left",
		p.Done, p.Total, p.Built, p.Done-p.Built, rate, eta)
}
