package doctor

import (
	"fmt"
	"sort"
)

// SchemaVersion is the version of the JSON report (docs/doctor.md). It changes
// only when a field is removed or changes meaning; new fields keep it.
const SchemaVersion = 1

// Report is what doctor found in one input.
type Report struct {
	SchemaVersion int    `json:"schema_version"`
	Input         string `json:"input"`
	Kind          string `json:"kind"` // manifest, image, dir
	Chip          string `json:"chip,omitempty"`
	// Checks are the ids of the checks that ran on this input.
	Checks   []string  `json:"checks"`
	Findings []Finding `json:"findings"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
}

// Finding is one problem: which check, what was found, why it matters, the fix.
type Finding struct {
	ID        string   `json:"id"`
	Severity  Severity `json:"severity"`
	Finding   string   `json:"finding"`
	Why       string   `json:"why"`
	Fix       string   `json:"fix"`
	Seed      string   `json:"seed,omitempty"`
	Offset    *uint32  `json:"offset,omitempty"`    // flash offset it is about
	Partition string   `json:"partition,omitempty"` // partition name
	File      string   `json:"file,omitempty"`      // file it is about (a build directory's file, a manifest)
	Line      int      `json:"line,omitempty"`      // manifest line
}

func newReport(input, kind string) *Report {
	r := &Report{SchemaVersion: SchemaVersion, Input: input, Kind: kind, Checks: []string{}, Findings: []Finding{}}
	for _, c := range Catalog {
		for _, in := range c.Inputs {
			if in == kind {
				r.Checks = append(r.Checks, c.ID)
			}
		}
	}
	return r
}

// at is a finding's location.
type at struct {
	off  *uint32
	part string
	file string
	line int
}

func atOffset(off uint32, part string) at { return at{off: &off, part: part} }

// add records a finding of check id with the check's severity.
func (r *Report) add(id string, where at, format string, args ...any) {
	r.addSev(id, "", where, format, args...)
}

func (r *Report) addSev(id string, sev Severity, where at, format string, args ...any) {
	c := lookup(id)
	if sev == "" {
		sev = c.Severity
	}
	r.Findings = append(r.Findings, Finding{ID: id, Severity: sev, Finding: fmt.Sprintf(format, args...), Why: c.Why, Fix: c.Fix,
		Seed: c.Seed, Offset: where.off, Partition: where.part, File: where.file, Line: where.line})
}

// finish orders the findings by the catalog (then by offset) and counts them.
func (r *Report) finish() *Report {
	order := map[string]int{}
	for i, c := range Catalog {
		order[c.ID] = i
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if order[a.ID] != order[b.ID] {
			return order[a.ID] < order[b.ID]
		}
		return a.Offset != nil && b.Offset != nil && *a.Offset < *b.Offset
	})
	r.Errors, r.Warnings = 0, 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	return r
}

// Failed reports an error-level finding.
func (r *Report) Failed() bool { return r.Errors > 0 }
