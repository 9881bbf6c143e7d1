package diff

import (
	"fmt"
	"strings"
)

func regionState(r Region) string {
	if r.File == "" {
		return "erased"
	}
	return "sha256 " + r.SHA256
}

func compareRegions(a, b *Release) []Change {
	var out []Change
	br := map[string]Region{}
	for _, r := range b.Regions {
		br[r.Name] = r
	}
	for _, r := range a.Regions {
		n, ok := br[r.Name]
		if !ok || regionState(r) == regionState(n) {
			continue // a removed partition is reported as such
		}
		c := Change{Kind: "region.contents", Subject: r.Name, Before: regionState(r), After: regionState(n), Severity: Info,
			Why: "new contents for this region"}
		switch {
		case r.Type == "bootloader":
			c.Severity, c.Why = Warning, "an OTA update does not replace the bootloader: only newly flashed devices get it"
		case strings.HasPrefix(r.Type, "app/"):
			c.Why = "a new app image"
		case r.Type == "data/nvs":
			c.Why = "new factory NVS data: an OTA update does not rewrite NVS, so devices keep theirs"
		}
		if op := firstNonEmpty(n.Opaque, r.Opaque); op != "" && (r.App == nil || n.App == nil) && (r.NVS == nil || n.NVS == nil) {
			c.Why += " (compared by hash: " + op + ")"
		}
		out = append(out, c)
		if r.App != nil && n.App != nil {
			out = append(out, compareApps(r.Name, r.App, n.App)...)
		}
	}
	for _, r := range b.Regions {
		found := false
		for _, o := range a.Regions {
			found = found || o.Name == r.Name
		}
		if !found && r.File != "" {
			out = append(out, Change{Kind: "region.contents", Subject: r.Name, Before: "absent", After: regionState(r), Severity: Info,
				Why: "contents of a new partition"})
		}
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func compareApps(subject string, a, b *App) []Change {
	var out []Change
	if a.Project != b.Project {
		out = append(out, Change{Kind: "app.project", Subject: subject, Before: a.Project, After: b.Project, Severity: Warning,
			Why: "the slot now holds another project's app"})
	}
	if a.Version != b.Version {
		out = append(out, Change{Kind: "app.version", Subject: subject, Before: a.Version, After: b.Version, Severity: Info,
			Why: "the app description's version"})
	}
	switch {
	case b.SecureVersion < a.SecureVersion:
		out = append(out, Change{Kind: "app.secure_version", Subject: subject, Before: u32(a.SecureVersion), After: u32(b.SecureVersion), Severity: Breaking,
			Why: "anti-rollback: devices that ran the old app refuse one with a lower secure_version"})
	case b.SecureVersion > a.SecureVersion:
		out = append(out, Change{Kind: "app.secure_version", Subject: subject, Before: u32(a.SecureVersion), After: u32(b.SecureVersion), Severity: Info,
			Why: "anti-rollback: once it runs, devices refuse apps with a lower secure_version"})
	}
	if a.ELFSHA256 != b.ELFSHA256 {
		out = append(out, Change{Kind: "app.elf_sha256", Subject: subject, Before: a.ELFSHA256, After: b.ELFSHA256, Severity: Info,
			Why: "built from a different ELF"})
	}
	if a.IDFVersion != b.IDFVersion {
		out = append(out, Change{Kind: "app.idf_version", Subject: subject, Before: a.IDFVersion, After: b.IDFVersion, Severity: Info,
			Why: "built with another ESP-IDF"})
	}
	return out
}

// oversized lists, for a release, each app image (in a region or an OTA artifact)
// larger than its smallest OTA slot: an update would not fit every slot.
func oversized(r *Release) map[string]Change {
	var smallest *Partition
	for i, p := range r.Partitions {
		if strings.HasPrefix(p.Type, "app/ota_") && (smallest == nil || p.Size < smallest.Size) {
			smallest = &r.Partitions[i]
		}
	}
	out := map[string]Change{}
	if smallest == nil {
		return out
	}
	check := func(subject string, size int) {
		if size > int(smallest.Size) {
			out[subject] = Change{Kind: "app.too_large", Subject: subject, After: fmt.Sprintf("%d bytes > %s (0x%x bytes)", size, smallest.Name, smallest.Size),
				Severity: Breaking, Why: "larger than the smallest OTA slot: an update cannot be written to every slot"}
		}
	}
	for _, g := range r.Regions {
		switch {
		case g.App != nil:
			check(g.Name, g.App.Size)
		case strings.HasPrefix(g.Type, "app/") && g.File != "":
			check(g.Name, g.Size)
		}
	}
	for _, o := range r.OTA {
		check(o.File, o.Size)
	}
	return out
}

// compareSlots reports each app of b too large for b's smallest OTA slot, unless a
// had the very same problem (then it is no change).
func compareSlots(a, b *Release) []Change {
	was := oversized(a)
	var out []Change
	for s, c := range oversized(b) {
		if old, ok := was[s]; ok && old.After == c.After {
			continue
		}
		out = append(out, c)
	}
	sortChanges(out)
	return out
}

func nvsKey(e NVSEntry) string { return e.Namespace + "/" + e.Key }

func compareNVS(a, b *Release) []Change {
	var out []Change
	br := map[string]Region{}
	for _, r := range b.Regions {
		br[r.Name] = r
	}
	const why = "factory NVS data: an OTA update does not rewrite NVS, so devices keep theirs"
	for _, r := range a.Regions {
		n, ok := br[r.Name]
		if !ok || r.NVS == nil || n.NVS == nil {
			continue
		}
		be := map[string]NVSEntry{}
		for _, e := range n.NVS.Entries {
			be[nvsKey(e)] = e
		}
		ae := map[string]bool{}
		var sec []Change
		for _, e := range r.NVS.Entries {
			k := nvsKey(e)
			ae[k] = true
			m, ok := be[k]
			switch {
			case !ok:
				sec = append(sec, Change{Kind: "nvs.removed", Subject: r.Name + ":" + k, Before: e.Type + " " + e.Value, Severity: Info, Why: why})
			case m.Type != e.Type || m.digest != e.digest:
				sec = append(sec, Change{Kind: "nvs.changed", Subject: r.Name + ":" + k, Before: e.Type + " " + e.Value, After: m.Type + " " + m.Value, Severity: Info, Why: why})
			}
		}
		for _, e := range n.NVS.Entries {
			if !ae[nvsKey(e)] {
				sec = append(sec, Change{Kind: "nvs.added", Subject: r.Name + ":" + nvsKey(e), After: e.Type + " " + e.Value, Severity: Info, Why: why})
			}
		}
		sortChanges(sec)
		out = append(out, sec...)
	}
	return out
}
