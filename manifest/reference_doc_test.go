package manifest

import (
	"bufio"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"
)

// referenceDoc is the manifest reference; its "## Reference" section must match the
// schema the parser uses.
const referenceDoc = "../docs/manifest.md"

// docBlock is one "### `path "LABEL"`" section of the reference: its rows by
// attribute or nested block name, with the type and default columns.
type docBlock struct {
	line     int
	labelled bool
	rows     map[string][2]string // name -> {type, default}
}

var (
	docHeading = regexp.MustCompile("^### `([a-z0-9_.]+)( \"[A-Z]+\")?`$")
	docRow     = regexp.MustCompile("^\\| `([a-z0-9_]+)` \\| ([^|]+) \\| ([^|]+) \\|")
)

// readReference parses the reference section of docs/manifest.md.
func readReference(t *testing.T) map[string]*docBlock {
	t.Helper()
	f, err := os.Open(referenceDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	blocks := map[string]*docBlock{}
	var cur *docBlock
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case line == "## Reference":
			in = true
		case strings.HasPrefix(line, "## "):
			in = false
			cur = nil
		case !in:
		case strings.HasPrefix(line, "### "):
			m := docHeading.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s:%d: heading %q is not ### `block` or ### `block \"NAME\"`", referenceDoc, n, line)
				cur = nil
				continue
			}
			if blocks[m[1]] != nil {
				t.Errorf("%s:%d: %s documented twice", referenceDoc, n, m[1])
			}
			cur = &docBlock{line: n, labelled: m[2] != "", rows: map[string][2]string{}}
			blocks[m[1]] = cur
		case cur != nil:
			if m := docRow.FindStringSubmatch(line); m != nil {
				if _, dup := cur.rows[m[1]]; dup {
					t.Errorf("%s:%d: %s listed twice", referenceDoc, n, m[1])
				}
				cur.rows[m[1]] = [2]string{strings.TrimSpace(m[2]), strings.TrimSpace(m[3])}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatalf("%s has no ## Reference section with ### blocks", referenceDoc)
	}
	return blocks
}

// schemaBlock is one block kind of the parser: its schema (nil for free-form blocks
// like locals) and whether it takes a label.
type schemaBlock struct {
	schema   *hcl.BodySchema
	labelled bool
}

// walkSchema lists every block kind the parser accepts by its dotted path: the root
// blocks and, recursively, the nested ones that have a schema of their own (a nested
// kind without one, like partition.table's partition, reuses a top-level schema).
func walkSchema() map[string]schemaBlock {
	out := map[string]schemaBlock{}
	var walk func(path string, h hcl.BlockHeaderSchema)
	walk = func(path string, h hcl.BlockHeaderSchema) {
		s := blockSchemas[strings.ReplaceAll(path, ".", "/")]
		out[path] = schemaBlock{schema: s, labelled: len(h.LabelNames) > 0}
		if s == nil {
			return
		}
		for _, nb := range s.Blocks {
			child := path + "." + nb.Type
			if blockSchemas[strings.ReplaceAll(child, ".", "/")] != nil {
				walk(child, nb)
			}
		}
	}
	for _, h := range rootSchema.Blocks {
		walk(h.Type, h)
	}
	return out
}

// TestReferenceDocMatchesSchema: docs/manifest.md documents every block and attribute
// the parser accepts, and nothing else; what it calls required is what the schema
// requires; nested blocks are listed as type block.
func TestReferenceDocMatchesSchema(t *testing.T) {
	doc := readReference(t)
	schema := walkSchema()
	// Every schema map entry is reachable from the root, so the walk is the schema.
	for key := range blockSchemas {
		if _, ok := schema[strings.ReplaceAll(key, "/", ".")]; !ok {
			t.Errorf("schema %q is not reachable from the root schema", key)
		}
	}
	var paths []string
	for p := range schema {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, path := range paths {
		sb := schema[path]
		db := doc[path]
		if db == nil {
			t.Errorf("%s: block %s is not documented (add ### `%s` to the Reference section)", referenceDoc, path, path)
			continue
		}
		if db.labelled != sb.labelled {
			t.Errorf("%s:%d: block %s: label shown %v, the parser's takes one: %v", referenceDoc, db.line, path, db.labelled, sb.labelled)
		}
		want := map[string]bool{} // name -> is a nested block
		required := map[string]bool{}
		if sb.schema != nil {
			for _, a := range sb.schema.Attributes {
				want[a.Name] = false
				required[a.Name] = a.Required
			}
			for _, b := range sb.schema.Blocks {
				want[b.Type] = true
			}
		}
		for name, isBlock := range want {
			row, ok := db.rows[name]
			switch {
			case !ok && isBlock:
				t.Errorf("%s:%d: %s: nested block %s is not listed", referenceDoc, db.line, path, name)
			case !ok:
				t.Errorf("%s:%d: %s: attribute %s is not documented", referenceDoc, db.line, path, name)
			case isBlock && row[0] != "block":
				t.Errorf("%s:%d: %s.%s is a block; its type column says %q", referenceDoc, db.line, path, name, row[0])
			case !isBlock && row[0] == "block":
				t.Errorf("%s:%d: %s.%s is an attribute; its type column says block", referenceDoc, db.line, path, name)
			case !isBlock && required[name] != (row[1] == "required"):
				t.Errorf("%s:%d: %s.%s: schema required=%v, the default column says %q", referenceDoc, db.line, path, name, required[name], row[1])
			}
		}
		for name := range db.rows {
			if _, ok := want[name]; !ok {
				t.Errorf("%s:%d: %s.%s is documented but the parser does not accept it", referenceDoc, db.line, path, name)
			}
		}
	}
	for path, db := range doc {
		if _, ok := schema[path]; !ok {
			t.Errorf("%s:%d: block %s is documented but the parser does not accept it", referenceDoc, db.line, path)
		}
	}
}

// TestReferenceDocListsFunctions: every function a manifest may call is named in the
// reference's Values section.
func TestReferenceDocListsFunctions(t *testing.T) {
	data, err := os.ReadFile(referenceDoc)
	if err != nil {
		t.Fatal(err)
	}
	values, _, _ := strings.Cut(string(data), "## Reference")
	for name := range functions(afero.NewMemMapFs(), "") {
		if !strings.Contains(values, "`"+name+"`") {
			t.Errorf("%s: function %s is not listed before ## Reference", referenceDoc, name)
		}
	}
}
