package verify

import (
	"fmt"
	"strings"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// tables decodes every partition table, main and secondary, and compares it entry by
// entry with the manifest's partitions as the plan placed them.
func (c *checker) tables() {
	placed := map[*manifest.Partition]*planner.Region{}
	for _, r := range c.in.Plan.Regions {
		if r.Kind == "partition" && r.Partition != nil {
			placed[r.Partition] = r
		}
	}
	for _, r := range c.in.Plan.Regions {
		var parts []*manifest.Partition
		var md5 bool
		switch r.Kind {
		case "partition-table":
			parts, md5 = c.cfg.Partitions, c.cfg.PartitionTable.MD5
		case "secondary-table":
			parts, md5 = r.Partition.Children, r.Partition.Table.MD5
		default:
			continue
		}
		plain, ok := c.plain[r.Name]
		if !ok {
			continue // regions already said why
		}
		c.table(r, plain, parts, md5, placed)
	}
}

func (c *checker) table(r *planner.Region, plain []byte, parts []*manifest.Partition, md5 bool, placed map[*manifest.Partition]*planner.Region) {
	name := regionName(r)
	t, err := parttable.Decode(plain[:min(len(plain), parttable.TableSize)])
	if err != nil {
		c.fail("table", name, "does not parse as a partition table: %v", err)
		return
	}
	bad := 0
	mismatch := func(format string, args ...any) {
		bad++
		c.fail("table", name, format, args...)
	}
	if len(t.Entries) != len(parts) {
		mismatch("has %d entries; the plan has %d", len(t.Entries), len(parts))
	}
	for i := 0; i < min(len(t.Entries), len(parts)); i++ {
		got, mp := t.Entries[i], parts[i]
		want := parttable.Entry{Name: mp.Name, Type: mp.Type, Subtype: mp.Subtype, Size: mp.Size, Encrypted: mp.Encrypted, Readonly: mp.Readonly}
		if pr := placed[mp]; pr != nil {
			want.Offset = pr.Offset
		} else {
			mismatch("entry %d (%s): the plan places no partition %q", i, got.Name, mp.Name)
			continue
		}
		if d := entryDiff(got, want); d != "" {
			mismatch("entry %d (%s): %s", i, got.Name, d)
		}
	}
	hasMD5 := len(plain) >= (len(t.Entries)+1)*parttable.EntrySize &&
		plain[len(t.Entries)*parttable.EntrySize] == 0xEB && plain[len(t.Entries)*parttable.EntrySize+1] == 0xEB
	switch {
	case md5 && !hasMD5:
		mismatch("has no MD5 record, but the manifest enables md5")
	case !md5 && hasMD5:
		mismatch("has an MD5 record, but the manifest sets md5 = false")
	}
	if ps, ok := c.stage(tableStage(c, r)).(*stages.PartitionTable); ok {
		if err := t.Validate(ps.Options); err != nil {
			mismatch("fails the partition table rules: %v", err)
		}
	}
	if bad == 0 {
		md5Note := "no MD5 record"
		if hasMD5 {
			md5Note = "MD5 record valid"
		}
		c.pass("table", name, "%d entries match the plan (names, types, offsets, sizes, flags; %s)", len(t.Entries), md5Note)
	}
}

// tableStage is the stage that generated a table region: the region's own stage, or
// the plaintext it was encrypted from.
func tableStage(c *checker, r *planner.Region) string {
	if e, ok := c.stage(r.Stage).(*stages.Encrypt); ok {
		return e.Dep
	}
	return r.Stage
}

// entryDiff names the fields of got that differ from want.
func entryDiff(got, want parttable.Entry) string {
	var d []string
	if got.Name != want.Name {
		d = append(d, fmt.Sprintf("name %q, the plan says %q", got.Name, want.Name))
	}
	if got.Type != want.Type || got.Subtype != want.Subtype {
		d = append(d, fmt.Sprintf("type 0x%02x/0x%02x, the plan says 0x%02x/0x%02x", got.Type, got.Subtype, want.Type, want.Subtype))
	}
	if got.Offset != want.Offset {
		d = append(d, fmt.Sprintf("offset 0x%x, the plan says 0x%x", got.Offset, want.Offset))
	}
	if got.Size != want.Size {
		d = append(d, fmt.Sprintf("size 0x%x, the plan says 0x%x", got.Size, want.Size))
	}
	if got.Encrypted != want.Encrypted {
		d = append(d, fmt.Sprintf("encrypted flag %v, the manifest says %v", got.Encrypted, want.Encrypted))
	}
	if got.Readonly != want.Readonly {
		d = append(d, fmt.Sprintf("readonly flag %v, the manifest says %v", got.Readonly, want.Readonly))
	}
	return strings.Join(d, "; ")
}
