package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/diff"
	"github.com/espcompose/espcompose/outputs"
)

// errorObject is the exact --json output of a command that failed with msg and
// no diagnostics.
func errorObject(command string, code int, msg string) string {
	m, _ := json.Marshal(msg)
	return fmt.Sprintf("{\n  \"schema_version\": 1,\n  \"command\": %q,\n  \"exit_code\": %d,\n  \"error\": %s,\n  \"diagnostics\": []\n}\n", command, code, m)
}

// decodeOne requires out to be exactly one JSON object and returns it.
func decodeOne(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, out)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON value:\n%s", out)
	}
	return doc
}

// TestJSONOnError: under --json, validate, plan, build, inspect and diff print one
// object on stdout when the input is bad, with the exit code they have without
// --json (2), the error, and every manifest diagnostic with its file, line,
// column and byte range.
func TestJSONOnError(t *testing.T) {
	fs := badChipFS(t)
	_ = afero.WriteFile(fs, "/text.bin", []byte("hello, this is not a flash image\n"), 0o644)
	for _, args := range [][]string{
		{"validate", "-f", "/qs/espcompose.hcl"},
		{"plan", "-f", "/qs/espcompose.hcl"},
		{"build", "-f", "/qs/espcompose.hcl", "-o", "/out"},
		{"diff", "/qs/espcompose.hcl", "/qs/espcompose.hcl"},
		{"inspect", "/text.bin"},
		{"inspect", "/nope.bin"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			plainCode, _, plainErr := runCLI(t, fs, nil, args...)
			code, stdout, stderr := runCLI(t, fs, nil, append(args, "--json")...)
			if code != exitUsage || plainCode != exitUsage {
				t.Fatalf("exit %d with --json, %d without; want 2", code, plainCode)
			}
			if stderr != plainErr {
				t.Errorf("--json changed stderr:\n%s\nwithout --json:\n%s", stderr, plainErr)
			}
			doc := decodeOne(t, stdout)
			if doc["schema_version"] != float64(jsonSchemaVersion) || doc["command"] != args[0] || doc["exit_code"] != float64(2) {
				t.Errorf("envelope: %v", doc)
			}
			msg, _ := doc["error"].(string)
			if msg == "" {
				t.Errorf("no error message: %v", doc)
			}
			diags, ok := doc["diagnostics"].([]any)
			if !ok {
				t.Fatalf("diagnostics is not a list: %v", doc["diagnostics"])
			}
			if args[0] == "inspect" {
				if len(diags) != 0 || !strings.Contains(plainErr, "espcompose: "+msg) {
					t.Errorf("inspect: diagnostics %v, error %q; stderr %q", diags, msg, plainErr)
				}
				return
			}
			if len(diags) == 0 {
				t.Fatalf("no diagnostics:\n%s", stdout)
			}
			var got jsonDiag
			b, _ := json.Marshal(diags[0])
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			want := jsonDiag{Severity: "error", Summary: "Unknown chip", Filename: "/qs/espcompose.hcl", Line: 13, Column: 16,
				Range:   &jsonRange{"/qs/espcompose.hcl", jsonPos{13, 16, 302}, jsonPos{13, 23, 309}},
				Snippet: &jsonSnippet{Context: "target", Code: `  chip       = "esp99"`, StartLine: 13, HighlightStartOffset: 15, HighlightEndOffset: 22}}
			got.Detail = ""
			if !reflect.DeepEqual(got, want) {
				t.Errorf("diagnostic %+v %+v %+v; want %+v %+v %+v", got, got.Range, got.Snippet, want, want.Range, want.Snippet)
			}
			src, _ := afero.ReadFile(fs, "/qs/espcompose.hcl")
			if s := string(src[want.Range.Start.Byte:want.Range.End.Byte]); s != `"esp99"` {
				t.Errorf("the byte range holds %q, not the bad value", s)
			}
		})
	}
}

// TestJSONOnSuccess: the same commands succeed with the envelope first, a null
// error, and their own fields after it.
func TestJSONOnSuccess(t *testing.T) {
	fs := quickstartFS(t)
	for _, tc := range []struct {
		args []string
		keys []string
	}{
		{[]string{"validate", "-f", "/qs/espcompose.hcl"}, []string{"valid", "configurations"}},
		{[]string{"plan", "-f", "/qs/espcompose.hcl", "--cache-dir", "/cache"}, []string{"chip", "flash_map", "stages"}},
		{[]string{"diff", "/qs/espcompose.hcl", "/qs/espcompose.hcl"}, []string{"a", "b", "equal", "counts", "changes"}},
	} {
		code, stdout, stderr := runCLI(t, fs, nil, append(tc.args, "--json")...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, stderr)
		}
		doc := decodeOne(t, stdout)
		if doc["error"] != nil || doc["exit_code"] != float64(0) || doc["command"] != tc.args[0] {
			t.Errorf("%v: envelope %v", tc.args, doc)
		}
		for _, k := range tc.keys {
			if _, ok := doc[k]; !ok {
				t.Errorf("%v: no %q in\n%s", tc.args, k, stdout)
			}
		}
		if !strings.HasPrefix(stdout, "{\n  \"schema_version\": 1,\n  \"command\": ") {
			t.Errorf("%v: the envelope does not come first:\n%s", tc.args, stdout)
		}
	}
	// --format json is --json.
	_, a, _ := runCLI(t, fs, nil, "diff", "--json", "/qs", "/qs")
	_, b, _ := runCLI(t, fs, nil, "diff", "--format", "json", "/qs", "/qs")
	if a != b {
		t.Errorf("diff --format json differs from --json:\n%s\n%s", a, b)
	}
	// --help under --json is help, not an object.
	code, stdout, _ := runCLI(t, fs, nil, "validate", "--json", "--help")
	if code != 0 || !strings.HasPrefix(stdout, "Check the manifest") {
		t.Errorf("validate --json --help: exit %d\n%s", code, stdout)
	}
}

// TestJSONDocumented: docs/json.md documents every field of every --json type:
// each field name appears there in backquotes, every key of its JSON examples is a
// field of these types, and the examples carry the current schema_version.
func TestJSONDocumented(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	fields := map[string]bool{}
	seen := map[reflect.Type]bool{}
	for _, v := range []any{jsonEnvelope{}, validateJSON{}, planDoc{}, buildJSON{}, buildDevicesJSON{}, outputs.Inspection{}, diff.Report{}} {
		jsonFields(reflect.TypeOf(v), fields, seen)
	}
	for f := range fields {
		// `name`, or a path to it: `flash_map[].name`, `verify.skipped`.
		if !regexp.MustCompile("`(?:[A-Za-z_]+(?:\\[\\])?\\.)*" + regexp.QuoteMeta(f) + "`").MatchString(doc) {
			t.Errorf("docs/json.md does not document the field `%s`", f)
		}
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) < 4 {
		t.Fatalf("docs/json.md has %d JSON examples; want one per command at least", len(blocks))
	}
	for _, b := range blocks {
		var v any
		if err := json.Unmarshal([]byte(b[1]), &v); err != nil {
			t.Errorf("docs/json.md example is not JSON: %v\n%s", err, b[1])
			continue
		}
		walkKeys(v, func(k string) {
			if !fields[k] {
				t.Errorf("docs/json.md example has the key %q, which no --json type has", k)
			}
		})
		if m, ok := v.(map[string]any); ok && m["schema_version"] != float64(jsonSchemaVersion) {
			t.Errorf("docs/json.md example has schema_version %v, want %d", m["schema_version"], jsonSchemaVersion)
		}
	}
	if diff.SchemaVersion != jsonSchemaVersion {
		t.Errorf("diff's schema_version %d differs from the envelope's %d: they share one field", diff.SchemaVersion, jsonSchemaVersion)
	}
}

// jsonFields collects the JSON names of t's fields, and of the structs they hold.
func jsonFields(t reflect.Type, out map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			jsonFields(f.Type, out, seen)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = true
		jsonFields(f.Type, out, seen)
	}
}

// walkKeys calls fn with every key of v's objects, except inside build's "stages"
// and "counts" maps, whose keys are stage ids and statuses.
func walkKeys(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			fn(k)
			if _, isMap := x.(map[string]any); isMap && (k == "stages" || k == "counts") {
				continue
			}
			walkKeys(x, fn)
		}
	case []any:
		for _, x := range v {
			walkKeys(x, fn)
		}
	}
}
