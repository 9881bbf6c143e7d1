package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// jsonSchemaVersion is the version of the --json documents of docs/json.md. It goes
// up only when a field is removed or changes its meaning; new fields may be added.
const jsonSchemaVersion = 1

// jsonEnvelope opens every --json object of validate, plan, build, inspect and diff
// (and the object any other command prints when it fails under --json). The
// command's own fields follow these, in the same object.
type jsonEnvelope struct {
	SchemaVersion int    `json:"schema_version"`
	Command       string `json:"command"`
	ExitCode      int    `json:"exit_code"`
	// Error is the message espcompose printed on stderr after "espcompose: ", or
	// the diagnostics' summary; null when the command succeeded.
	Error       *string    `json:"error"`
	Diagnostics []jsonDiag `json:"diagnostics"`
}

// jsonDiag is one diagnostic, shaped like Terraform's -json diagnostics.
type jsonDiag struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	// Filename, Line and Column repeat range.filename and range.start for readers
	// that want only where to look; all three are absent without a range.
	Filename string     `json:"filename,omitempty"`
	Line     int        `json:"line,omitempty"`
	Column   int        `json:"column,omitempty"`
	Range    *jsonRange `json:"range,omitempty"`
	// Snippet is the source around the range, when the file could be read.
	Snippet *jsonSnippet `json:"snippet,omitempty"`
}

// jsonSnippet is the source of a diagnostic, as Terraform's -json gives it: the
// whole lines holding the range, and where the range lies within them.
type jsonSnippet struct {
	// Context names the block the range is in ("target", "partition \"nvs\""),
	// "" at top level.
	Context   string `json:"context"`
	Code      string `json:"code"`
	StartLine int    `json:"start_line"`
	// HighlightStartOffset and HighlightEndOffset are byte offsets into Code.
	HighlightStartOffset int `json:"highlight_start_offset"`
	HighlightEndOffset   int `json:"highlight_end_offset"`
}

// jsonRange is a source range: start inclusive, end exclusive.
type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

// jsonPos is a position in a file: line and column count from 1 (columns in
// characters), byte from 0.
type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// envelopeCommands print their result through the envelope: one object on stdout
// whatever happens.
var envelopeCommands = map[string]bool{"validate": true, "plan": true, "build": true, "inspect": true, "diff": true}

func diagJSON(files map[string]*hcl.File, diags hcl.Diagnostics) []jsonDiag {
	out := make([]jsonDiag, 0, len(diags))
	for _, d := range diags {
		if d == nil {
			continue
		}
		j := jsonDiag{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			j.Severity = "warning"
		}
		if s := d.Subject; s != nil {
			j.Filename, j.Line, j.Column = s.Filename, s.Start.Line, s.Start.Column
			j.Range = &jsonRange{Filename: s.Filename,
				Start: jsonPos{s.Start.Line, s.Start.Column, s.Start.Byte},
				End:   jsonPos{s.End.Line, s.End.Column, s.End.Byte}}
			j.Snippet = snippetJSON(files[s.Filename], *s)
		}
		out = append(out, j)
	}
	return out
}

// snippetJSON cuts the lines holding r out of f; nil when f's source is not at hand
// or r does not lie in it.
func snippetJSON(f *hcl.File, r hcl.Range) *jsonSnippet {
	if f == nil || f.Bytes == nil || r.Start.Byte < 0 || r.End.Byte > len(f.Bytes) || r.Start.Byte > r.End.Byte {
		return nil
	}
	src := f.Bytes
	start := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[r.End.Byte:], '\n'); i >= 0 {
		end = r.End.Byte + i
	}
	if r.End.Byte > r.Start.Byte && src[r.End.Byte-1] == '\n' {
		end = r.End.Byte - 1 // a range ending at a line's end holds no more lines
	}
	code := strings.TrimSuffix(string(src[start:end]), "\r")
	sn := &jsonSnippet{Code: code, StartLine: r.Start.Line,
		HighlightStartOffset: r.Start.Byte - start, HighlightEndOffset: min(r.End.Byte-start, len(code))}
	if cs, ok := f.Nav.(interface{ ContextString(int) string }); ok {
		sn.Context = cs.ContextString(r.Start.Byte)
	}
	return sn
}

// setResult hands the command's --json document to run, which prints it inside
// the envelope once the exit code is known.
func (a *app) setResult(v any) { a.result = v }

// commandName is the command path without the program name ("nvs decode").
func commandName(path string) string {
	_, rest, _ := strings.Cut(path, " ")
	return rest
}

// writeEnvelope prints the one --json object of a finished command: the envelope,
// then the fields of result (a struct or map that marshals to an object).
func (a *app) writeEnvelope(command string, code int, msg string) error {
	env := jsonEnvelope{SchemaVersion: jsonSchemaVersion, Command: command, ExitCode: code, Diagnostics: a.diags}
	if env.Diagnostics == nil {
		env.Diagnostics = []jsonDiag{}
	}
	if msg != "" {
		env.Error = &msg
	}
	head, err := json.Marshal(env)
	if err != nil {
		return err
	}
	buf := bytes.NewBuffer(head[:len(head)-1])
	if a.result != nil {
		fields, err := objectFields(a.result)
		if err != nil {
			return err
		}
		taken := map[string]json.RawMessage{}
		var envFields []jsonField
		if envFields, err = objectFields(env); err != nil {
			return err
		}
		for _, f := range envFields {
			taken[f.key] = f.value
		}
		for _, f := range fields {
			if v, ok := taken[f.key]; ok {
				// diff's report carries its own schema_version (docs/diff.md),
				// the same number; any other clash is a bug.
				if !bytes.Equal(v, f.value) {
					return fmt.Errorf("--json: %s result field %q clashes with the envelope", command, f.key)
				}
				continue
			}
			key, _ := json.Marshal(f.key)
			buf.WriteByte(',')
			buf.Write(key)
			buf.WriteByte(':')
			buf.Write(f.value)
		}
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = a.stdout.Write(out.Bytes())
	return err
}

type jsonField struct {
	key   string
	value json.RawMessage
}

// objectFields marshals v, which must be a JSON object, and returns its fields in
// order.
func objectFields(v any) ([]jsonField, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("--json: %T is not an object", v)
	}
	var fields []jsonField
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		fields = append(fields, jsonField{t.(string), val})
	}
	return fields, nil
}

// countingWriter notes whether anything was written, so run knows whether a
// command that failed under --json still owes stdout its one object.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
