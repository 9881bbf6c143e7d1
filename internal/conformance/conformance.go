// Package conformance loads the reference-tool vectors kept in ../shared/conformance
// so that every codec's tests can run the whole family, including the hidden set that
// shares the layout. Tests skip cleanly when ../shared is absent.
package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Case is one entry of index.json. Raw keeps the full JSON for family-specific fields.
type Case struct {
	Path          string            `json:"path"`
	Family        string            `json:"family"`
	Name          string            `json:"case"`
	Description   string            `json:"description"`
	Command       []string          `json:"command"`
	Params        map[string]any    `json:"params"`
	Inputs        []string          `json:"inputs"`
	Expected      *string           `json:"expected"`
	ExpectedError bool              `json:"expected_error"`
	ErrorContains string            `json:"error_contains"`
	ExpectedCSV   string            `json:"expected_csv"`
	ExpectedKeys  string            `json:"expected_keys"`
	SHA256        map[string]string `json:"sha256"`
	Raw           json.RawMessage   `json:"-"`

	// Dir is the absolute case directory.
	Dir string `json:"-"`
}

// Root returns the absolute path of shared/conformance, or "" when it is absent.
func Root() string {
	if env := os.Getenv("ESPCOMPOSE_CONFORMANCE"); env != "" {
		return env
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			c := filepath.Join(dir, "..", "shared", "conformance")
			if _, err := os.Stat(filepath.Join(c, "index.json")); err == nil {
				return c
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Load returns every case of family, skipping the test when the vectors are absent.
// Damaged vector files (sha256 mismatch) fail the test: a vector is never edited.
func Load(t testing.TB, family string) []Case {
	t.Helper()
	root := Root()
	if root == "" {
		t.Skip("../shared/conformance is absent; conformance vectors not run")
	}
	data, err := os.ReadFile(filepath.Join(root, "index.json"))
	if err != nil {
		t.Fatalf("read index.json: %v", err)
	}
	var idx struct {
		Cases []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatalf("parse index.json: %v", err)
	}
	var out []Case
	for _, raw := range idx.Cases {
		var c Case
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("parse case: %v", err)
		}
		if c.Family != family {
			continue
		}
		c.Raw = raw
		c.Dir = filepath.Join(root, filepath.FromSlash(c.Path))
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("no %q cases in index.json", family)
	}
	return out
}

// File reads a file of the case, checking it against the recorded sha256.
func (c Case) File(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("%s: %v", c.Path, err)
	}
	if want, ok := c.SHA256[name]; ok {
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != want {
			t.Fatalf("%s/%s is damaged: sha256 does not match case.json", c.Path, name)
		}
	}
	return b
}

// Decode unmarshals the full case JSON into v, for family-specific fields.
func (c Case) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(c.Raw, v); err != nil {
		t.Fatalf("%s: %v", c.Path, err)
	}
}

// Param returns params[name] as a string ("" when absent or null).
func (c Case) Param(name string) string {
	v, ok := c.Params[name]
	if !ok || v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		b, _ := json.Marshal(x)
		return string(b)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
