package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// SchemaVersion is the version of the --json document (docs/diff.md). It changes
// only when a field changes meaning or goes away; new fields and kinds may be added.
const SchemaVersion = 1

// Report is the result of a diff, as --json prints it.
type Report struct {
	SchemaVersion int      `json:"schema_version"`
	A             Side     `json:"a"`
	B             Side     `json:"b"`
	Equal         bool     `json:"equal"`
	Counts        Counts   `json:"counts"`
	Changes       []Change `json:"changes"`
}

// Side names one release of a report.
type Side struct {
	Path string `json:"path"`
	Kind string `json:"kind"`
}

// NewReport compares a with b.
func NewReport(a, b *Release) *Report {
	ch := Compare(a, b)
	if ch == nil {
		ch = []Change{}
	}
	return &Report{SchemaVersion: SchemaVersion, A: Side{a.Path, a.Kind}, B: Side{b.Path, b.Kind},
		Equal: len(ch) == 0, Counts: Count(ch), Changes: ch}
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for a terminal: one block per change, then a count.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "--- a: %s (%s)\n+++ b: %s (%s)\n", r.A.Path, r.A.Kind, r.B.Path, r.B.Kind)
	if r.Equal {
		b.WriteString("The releases are the same.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "\n%-8s %s %s\n", strings.ToUpper(string(c.Severity)), c.Kind, c.Subject)
		if c.Before != "" {
			fmt.Fprintf(&b, "  - %s\n", indentLines(c.Before, "    "))
		}
		if c.After != "" {
			fmt.Fprintf(&b, "  + %s\n", indentLines(c.After, "    "))
		}
		fmt.Fprintf(&b, "  why: %s\n", c.Why)
	}
	fmt.Fprintf(&b, "\n%s\n", r.summary())
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) summary() string {
	n := len(r.Changes)
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("%d change%s: %d breaking, %d warning, %d info.", n, s, r.Counts.Breaking, r.Counts.Warning, r.Counts.Info)
}

func indentLines(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// WriteMarkdown writes the report as a GitHub-flavoured Markdown table, for a CI job
// summary ($GITHUB_STEP_SUMMARY).
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### espcompose diff\n\n`%s` (%s) → `%s` (%s)\n\n", mdCode(r.A.Path), r.A.Kind, mdCode(r.B.Path), r.B.Kind)
	if r.Equal {
		b.WriteString("The releases are the same.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "%s\n\n", r.summary())
	b.WriteString("| Severity | Change | Subject | Before | After | Why |\n|---|---|---|---|---|---|\n")
	for _, c := range r.Changes {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", severityCell(c.Severity), mdCell(c.Kind), mdCell(c.Subject),
			mdCell(c.Before), mdCell(c.After), mdCell(c.Why))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func severityCell(s Severity) string {
	if s == Breaking {
		return "**breaking**"
	}
	return string(s)
}

// mdCell keeps a value inside its table cell: pipes escaped, line breaks as <br>.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, "\n", "<br>")
}

func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }
