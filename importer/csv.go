package importer

import (
	"bytes"
	"fmt"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/parttable"
)

// FromCSV reads a gen_esp32part partitions.csv (its full dialect: auto offsets, K/M
// sizes, $VARS from lookupEnv) into partition blocks. Each partition keeps the offset
// gen_esp32part gives it, so the table espcompose writes is the one the CSV makes.
// tableOffset is the partition table's flash offset (0: 0x8000), which decides where
// automatic placement starts. Errors name the CSV line, as gen_esp32part's do.
func FromCSV(fsys afero.Fs, path string, tableOffset uint32, lookupEnv func(string) (string, bool)) ([]Partition, error) {
	raw, err := afero.ReadFile(fsys, path)
	if err != nil {
		return nil, err
	}
	t, err := parttable.ParseCSV(bytes.NewReader(raw), path, parttable.Options{Offset: tableOffset, LookupEnv: lookupEnv})
	if err != nil {
		return nil, err
	}
	if err := t.Validate(parttable.Options{Offset: tableOffset}); err != nil {
		return nil, err
	}
	return partitionsOf(t, func(e parttable.Entry) []string {
		if e.Line > 0 {
			return []string{fmt.Sprintf("%s line %d", path, e.Line)}
		}
		return nil
	}), nil
}

// partitionsOf turns table entries into partition blocks with explicit offsets.
func partitionsOf(t *parttable.Table, note func(parttable.Entry) []string) []Partition {
	out := make([]Partition, 0, len(t.Entries))
	for _, e := range t.Entries {
		off := e.Offset
		p := Partition{
			Name: e.Name, Offset: &off, Size: e.Size,
			Encrypted: e.Encrypted, Readonly: e.Readonly,
			Type: fmt.Sprintf("0x%02x", e.Type), Subtype: fmt.Sprintf("0x%02x", e.Subtype),
		}
		if n, ok := parttable.TypeName(e.Type); ok {
			p.Type = n
			if s, ok := parttable.SubtypeName(e.Type, e.Subtype, nil); ok {
				p.Subtype = s
			}
		}
		if note != nil {
			p.Comment = note(e)
		}
		out = append(out, p)
	}
	return out
}
