package manifest

import "github.com/espcompose/espcompose/format/parttable"

func partitionTypeByName(n string) (uint8, bool) { return parttable.TypeByName(n) }

func partitionTypeNames() []string { return []string{"app", "data", "bootloader", "partition_table"} }

func partitionSubtypeByName(t uint8, n string) (uint8, bool) {
	return parttable.SubtypeByName(t, n, nil)
}

func partitionSubtypeNames(t uint8) []string {
	subs, _ := parttable.Subtypes(t, nil)
	out := make([]string, 0, len(subs))
	for _, s := range subs {
		out = append(out, s.Name)
	}
	return out
}
