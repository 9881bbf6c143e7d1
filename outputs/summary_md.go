package outputs

import (
	"fmt"
	"strings"
)

// summaryMarkdown renders dist/summary.md: the build in a screenful, for a CI job
// summary ($GITHUB_STEP_SUMMARY) or a release note.
func summaryMarkdown(b *Bundle, files []File) []byte {
	hashes := fileHashes(files)
	var sb strings.Builder
	title := buildName(b)
	if v := buildVersion(b); v != "" {
		title += " " + v
	}
	fmt.Fprintf(&sb, "# %s\n\n", mdText(title))
	fmt.Fprintf(&sb, "%s, %s flash (mode %s, freq %s), built by %s %s.\n\n",
		mdText(b.Chip), mdText(b.FlashSize), mdText(b.FlashMode), mdText(b.FlashFreq), mdText(b.Record.toolName()), mdText(b.Record.ToolVersion))

	sb.WriteString("## Flash map\n\n")
	sb.WriteString("| Offset | Size | Name | Type | Encrypted | Signed | Contents |\n")
	sb.WriteString("|---:|---:|---|---|---|---|---|\n")
	for _, r := range b.Regions {
		name := strings.Repeat("↳ ", r.Depth) + mdText(r.Name)
		fmt.Fprintf(&sb, "| `0x%06x` | %s | %s | %s | %s | %s | %s |\n",
			r.Offset, sizeText(r.Size), name, mdText(r.Type), r.encryption(), yesNo(r.Signed), mdText(r.Source))
	}
	if free := freeSpace(b); len(free) > 0 {
		var total uint32
		for _, f := range free {
			total += f.Size
		}
		fmt.Fprintf(&sb, "\nFree: %s in %d range(s).\n", sizeText(total), len(free))
	}

	sb.WriteString("\n## Security\n\n")
	for _, s := range securitySummary(b) {
		fmt.Fprintf(&sb, "- %s\n", mdText(s))
	}
	for _, k := range keyViews(b, files) {
		fmt.Fprintf(&sb, "- Key `%s` (%s): %s\n", mdCode(k.Name), mdText(k.Algorithm), mdText(k.Text()))
	}

	if len(b.OTA) > 0 || len(b.Packages) > 0 {
		sb.WriteString("\n## OTA artifacts\n\n")
		sb.WriteString("| OTA | Slot | Offset | File | Version | SHA-256 |\n|---|---|---:|---|---|---|\n")
		for _, s := range b.OTA {
			fmt.Fprintf(&sb, "| %s | %s | `0x%x` | `%s` | %s | `%s` |\n",
				mdText(s.OTA), mdText(s.Slot), s.Offset, mdCode(s.File), mdText(s.Version), hashes[s.File])
		}
		for _, p := range b.Packages {
			fmt.Fprintf(&sb, "| %s | any (%s) | | `%s` | %s | `%s` |\n",
				mdText(p.OTA), mdText(p.Scheme), mdCode(p.File), mdText(p.Version), hashes[p.File])
		}
	}
	if len(b.Merged) > 0 {
		sb.WriteString("\n## Images\n\n| File | SHA-256 |\n|---|---|\n")
		for _, m := range b.Merged {
			fmt.Fprintf(&sb, "| `%s` | `%s` |\n", mdCode(m.File), hashes[m.File])
		}
	}
	return []byte(sb.String())
}

// mdText escapes what would break a table cell or start markup: names come from the
// manifest and may hold any character.
func mdText(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;",
		"[", "\\[", "]", "\\]", "\n", " ", "\r", " ")
	return r.Replace(s)
}

// mdCode is text inside a code span, where only the backtick and the cell separator
// matter.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", "\\|", "\n", " ").Replace(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// MarkdownText is a name as summary.md writes it, for readers that look it up.
func MarkdownText(s string) string { return mdText(s) }
