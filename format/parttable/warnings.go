package parttable

import "fmt"

// Warnings returns gen_esp32part's "Mistake in partition table?" warnings: a
// partition named like a partition type or subtype that it is not (e.g. a partition
// "ota_1" of subtype ota_0). The tool prints them and goes on; so do its callers.
// Source: ESP-IDF components/partition_table/gen_esp32part.py,
// PartitionDefinition.verify (commit fc72712b102).
func (t *Table) Warnings(opts Options) []string {
	var subtypeNames = map[string]bool{}
	for ty := 0; ty < 256; ty++ {
		subs, err := Subtypes(uint8(ty), opts.ExtraSubtypes)
		if err != nil {
			continue
		}
		for _, s := range subs {
			subtypeNames[s.Name] = true
		}
	}
	var out []string
	for _, e := range t.Entries {
		if ty, ok := TypeByName(e.Name); ok && ty != e.Type && typeNameIs(ty, e.Name) {
			out = append(out, fmt.Sprintf("WARNING: Partition has name '%s' which is a partition type, but does not match this partition's type (0x%x). Mistake in partition table?", e.Name, e.Type))
		}
		if subtypeNames[e.Name] {
			if st, ok := SubtypeByName(e.Type, e.Name, opts.ExtraSubtypes); !ok || st != e.Subtype {
				out = append(out, fmt.Sprintf("WARNING: Partition has name '%s' which is a partition subtype, but this partition has non-matching type 0x%x and subtype 0x%x. Mistake in partition table?", e.Name, e.Type, e.Subtype))
			}
		}
	}
	return out
}

// typeNameIs: the tool's test is "name in TYPES", which is case-sensitive.
func typeNameIs(ty uint8, name string) bool {
	n, ok := TypeName(ty)
	return ok && n == name
}
