package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Compare lists what changed from release a to release b. The order is fixed: by
// section (target, tables, partitions, contents, NVS, keys, security, eFuse plan),
// then as each section sorts its subjects, so the same two releases always give the
// same list.
func Compare(a, b *Release) []Change {
	var out []Change
	out = append(out, compareTarget(a, b)...)
	out = append(out, compareTables(a, b)...)
	out = append(out, comparePartitions(a, b)...)
	out = append(out, compareRegions(a, b)...)
	out = append(out, compareSlots(a, b)...)
	out = append(out, compareNVS(a, b)...)
	out = append(out, compareKeys(a, b)...)
	out = append(out, compareSecurity(a, b)...)
	out = append(out, compareEfuse(a, b)...)
	return out
}

func hex32(v uint32) string { return fmt.Sprintf("0x%x", v) }

func compareTarget(a, b *Release) []Change {
	var out []Change
	names := unionKeys(a.Target, b.Target)
	for _, k := range names {
		x, y := a.Target[k], b.Target[k]
		if x == y {
			continue
		}
		c := Change{Kind: "target.changed", Subject: "target." + k, Before: x, After: y, Severity: Warning,
			Why: "the new images are built for different flash settings than the devices have"}
		if k == "chip" {
			c.Severity, c.Why = Breaking, "an image for another chip does not boot on the devices in the field"
		}
		out = append(out, c)
	}
	return out
}

func unionKeys(a, b map[string]string) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]string{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

func compareTables(a, b *Release) []Change {
	var out []Change
	bt := map[string]Table{}
	for _, t := range b.Tables {
		bt[t.Name] = t
	}
	at := map[string]bool{}
	for _, t := range a.Tables {
		at[t.Name] = true
		n, ok := bt[t.Name]
		switch {
		case !ok:
			out = append(out, Change{Kind: "table.removed", Subject: t.Name, Before: hex32(t.Offset), Severity: Warning,
				Why: "devices updated over the air keep the table they were flashed with"})
		case n.Offset != t.Offset:
			out = append(out, Change{Kind: "table.moved", Subject: t.Name, Before: hex32(t.Offset), After: hex32(n.Offset), Severity: Breaking,
				Why: "an OTA update cannot move a partition table: devices keep reading it at the old offset"})
		}
	}
	for _, t := range b.Tables {
		if !at[t.Name] {
			out = append(out, Change{Kind: "table.added", Subject: t.Name, After: hex32(t.Offset), Severity: Warning,
				Why: "devices updated over the air keep the table they were flashed with"})
		}
	}
	sortChanges(out)
	return out
}

// partKey names a partition across releases: its table and name.
func partKey(p Partition) string {
	if p.Table == PrimaryTable {
		return p.Name
	}
	return p.Table + "/" + p.Name
}

func isNVS(p Partition) bool     { return p.Type == "data/nvs" }
func isOtadata(p Partition) bool { return p.Type == "data/ota" }

func comparePartitions(a, b *Release) []Change {
	var out []Change
	bp := map[string]Partition{}
	for _, p := range b.Partitions {
		bp[partKey(p)] = p
	}
	ap := map[string]bool{}
	const keepsTable = "an OTA update does not rewrite the partition table: only newly flashed devices get this"
	for _, p := range a.Partitions {
		k := partKey(p)
		ap[k] = true
		n, ok := bp[k]
		if !ok {
			c := Change{Kind: "partition.removed", Subject: k, Before: describePart(p), Severity: Warning, Why: keepsTable}
			switch {
			case isNVS(p):
				c.Severity, c.Why = Breaking, "devices lose this NVS data when the table changes"
			case isOtadata(p):
				c.Severity, c.Why = Breaking, "an OTA update needs otadata where the devices have it"
			}
			out = append(out, c)
			continue
		}
		if n.Offset != p.Offset {
			c := Change{Kind: "partition.moved", Subject: k, Before: hex32(p.Offset), After: hex32(n.Offset), Severity: Warning, Why: keepsTable}
			switch {
			case isOtadata(p):
				c.Severity, c.Why = Breaking, "an OTA update cannot move otadata: the bootloader keeps reading it at the old offset"
			case isNVS(p):
				c.Severity, c.Why = Breaking, "moving NVS loses the data devices stored in it"
			}
			out = append(out, c)
		}
		if n.Size != p.Size {
			c := Change{Kind: "partition.resized", Subject: k, Before: hex32(p.Size), After: hex32(n.Size), Severity: Warning, Why: keepsTable}
			if isNVS(p) && n.Size < p.Size {
				c.Severity, c.Why = Breaking, "shrinking NVS loses the data devices stored in its last pages"
			}
			out = append(out, c)
		}
		if n.Type != p.Type {
			out = append(out, Change{Kind: "partition.retyped", Subject: k, Before: p.Type, After: n.Type, Severity: Warning, Why: keepsTable})
		}
		if p.FlagsKnown && n.FlagsKnown && strings.Join(p.Flags, ",") != strings.Join(n.Flags, ",") {
			out = append(out, Change{Kind: "partition.flags", Subject: k, Before: flagList(p.Flags), After: flagList(n.Flags), Severity: Warning, Why: keepsTable})
		}
	}
	for _, p := range b.Partitions {
		if !ap[partKey(p)] {
			out = append(out, Change{Kind: "partition.added", Subject: partKey(p), After: describePart(p), Severity: Warning, Why: keepsTable})
		}
	}
	sortChanges(out)
	return out
}

func describePart(p Partition) string {
	return fmt.Sprintf("%s at 0x%x, 0x%x bytes", p.Type, p.Offset, p.Size)
}

func flagList(f []string) string {
	if len(f) == 0 {
		return "none"
	}
	return strings.Join(f, ",")
}

// sortChanges orders a section's changes by subject, then kind.
func sortChanges(c []Change) {
	sort.SliceStable(c, func(i, j int) bool {
		if c[i].Subject != c[j].Subject {
			return c[i].Subject < c[j].Subject
		}
		return c[i].Kind < c[j].Kind
	})
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
