package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/stages"
)

// drawsBars says whether progress may be drawn as a bar on stderr, which redraws its
// line with carriage returns: only on an interactive terminal, never with logs (-v),
// --json, in CI (CI set: a log viewer that shows every redraw as a line) or with
// TERM=dumb (which cannot redraw). Both the build's and the batch's bar ask here.
func (a *app) drawsBars() bool {
	if a.verbose || a.json {
		return false
	}
	if a.getenv != nil && (a.getenv("CI") != "" || a.getenv("TERM") == "dumb") {
		return false
	}
	tty, _ := a.stderrTerminal()
	return tty
}

// progress shows a bar on an interactive terminal (drawsBars); logs (-v), --json and
// pipes get none, so machine output stays clean.
func (a *app) progress(total int) func(id string, st stages.Status) {
	if !a.drawsBars() {
		return func(id string, st stages.Status) { a.log.Debugf("%-8s %s", st, id) }
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(a.stderr),
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
	if !a.drawsBars() {
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
				progressbar.OptionSetWriter(a.stderr),
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
