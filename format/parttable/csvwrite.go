package parttable

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// CSV renders the table as gen_esp32part's binary-to-CSV direction does, with
// the built-in subtype names.
func (t *Table) CSV() []byte {
	var b bytes.Buffer
	_ = t.WriteCSV(&b, Options{}) // cannot fail: no extras, bytes.Buffer
	return b.Bytes()
}

// WriteCSV renders the table as the tool does, naming subtypes with
// opts.ExtraSubtypes applied (the only option that changes the text).
func (t *Table) WriteCSV(w io.Writer, opts Options) error {
	tables, err := subtypeTables(opts.ExtraSubtypes)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString("# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n")
	for i := range t.Entries {
		e := &t.Entries[i]
		var flags []string
		if e.Encrypted {
			flags = append(flags, "encrypted")
		}
		if e.Readonly {
			flags = append(flags, "readonly")
		}
		fmt.Fprintf(&sb, "%s,%s,%s,0x%x,%s,%s\n", e.Name,
			keywordOrNumber(typeKeywords, e.Type), keywordOrNumber(tables[e.Type], e.Subtype),
			e.Offset, sizeText(e.Size), strings.Join(flags, ":"))
	}
	_, err = io.WriteString(w, sb.String())
	return err
}

func keywordOrNumber(kws []keyword, v uint8) string {
	if name, ok := nameKeyword(kws, v); ok {
		return name
	}
	return fmt.Sprintf("%d", v)
}

// sizeText prefers whole MiB, then whole KiB, then hex (so 0 is "0M").
func sizeText(n uint32) string {
	switch {
	case n%0x100000 == 0:
		return fmt.Sprintf("%dM", n/0x100000)
	case n%0x400 == 0:
		return fmt.Sprintf("%dK", n/0x400)
	}
	return fmt.Sprintf("0x%x", n)
}
