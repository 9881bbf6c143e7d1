package lock

import (
	"fmt"
	"strings"
)

// Change is one locked item the manifest would change.
type Change struct {
	// Line is the lock file line of the locked item, 0 for an item the lock lacks.
	Line int
	// Item is the item's path, e.g. "partition.nvs.offset".
	Item string
	// Msg says what is locked and what the manifest now gives.
	Msg string
	// Where is the manifest location that gives the new value, "" when unknown.
	Where string
}

// Format renders the change as "espcompose.lock:12: partition "nvs" offset locked at
// 0x9000, manifest now gives 0xa000 (espcompose.hcl:20)".
func (c Change) Format(lockName string) string {
	loc := lockName
	if c.Line > 0 {
		loc = fmt.Sprintf("%s:%d", lockName, c.Line)
	}
	s := loc + ": " + c.Msg
	if c.Where != "" {
		s += " (" + c.Where + ")"
	}
	return s
}

// Compare lists every item of locked that now (the layout the manifest gives today)
// changes, in the order of the lock file, then what now adds. An empty result means
// the manifest still gives exactly the locked layout.
func Compare(locked, now *File) []Change {
	c := &comparer{locked: locked, now: now}
	c.field("lock.chip", "", "chip", locked.Chip, now.Chip)
	c.field("lock.flash_size", "", "flash_size", locked.FlashSize, now.FlashSize)

	switch lb, nb := locked.Bootloader, now.Bootloader; {
	case lb != nil && nb == nil:
		c.add("bootloader", "the bootloader is locked at %s, the manifest now places none", hex32(lb.Offset))
	case lb == nil && nb != nil:
		c.add("bootloader", "the lock places no bootloader, the manifest now places one at %s", hex32(nb.Offset))
	case lb != nil:
		c.field("bootloader.offset", "bootloader", "offset", hex32(lb.Offset), hex32(nb.Offset))
		c.field("bootloader.flash_encrypted", "bootloader", "flash_encrypted", lb.FlashEncrypted, nb.FlashEncrypted)
	}

	nowTables := map[string]Table{}
	for _, t := range now.Tables {
		nowTables[t.Name] = t
	}
	for _, lt := range locked.Tables {
		it := tableItem(lt.Name)
		what := fmt.Sprintf("table %q", lt.Name)
		nt, ok := nowTables[lt.Name]
		if !ok {
			c.add(it, "%s is locked at %s, the manifest no longer has it", what, hex32(lt.Offset))
			continue
		}
		delete(nowTables, lt.Name)
		c.field(it+".offset", what, "offset", hex32(lt.Offset), hex32(nt.Offset))
		c.field(it+".md5", what, "md5", lt.MD5, nt.MD5)
		c.field(it+".flash_encrypted", what, "flash_encrypted", lt.FlashEncrypted, nt.FlashEncrypted)
	}
	for _, nt := range now.Tables {
		if _, added := nowTables[nt.Name]; added {
			c.add(tableItem(nt.Name), "table %q at %s is not in the lock", nt.Name, hex32(nt.Offset))
		}
	}

	nowParts := map[string]Partition{}
	for _, p := range now.Partitions {
		nowParts[p.Name] = p
	}
	for _, lp := range locked.Partitions {
		it := partitionItem(lp.Name)
		what := fmt.Sprintf("partition %q", lp.Name)
		np, ok := nowParts[lp.Name]
		if !ok {
			c.add(it, "%s is locked at %s (size %s), the manifest no longer has it", what, hex32(lp.Offset), hex32(lp.Size))
			continue
		}
		delete(nowParts, lp.Name)
		c.field(it+".table", what, "table", lp.Table, np.Table)
		c.field(it+".offset", what, "offset", hex32(lp.Offset), hex32(np.Offset))
		c.field(it+".size", what, "size", hex32(lp.Size), hex32(np.Size))
		c.field(it+".type", what, "type", lp.Type, np.Type)
		c.field(it+".subtype", what, "subtype", lp.Subtype, np.Subtype)
		c.field(it+".flags", what, "flags", listText(sorted(lp.Flags)), listText(sorted(np.Flags)))
		c.field(it+".flash_encrypted", what, "flash_encrypted", lp.FlashEncrypted, np.FlashEncrypted)
	}
	for _, np := range now.Partitions {
		if _, added := nowParts[np.Name]; added {
			c.add(partitionItem(np.Name), "partition %q (offset %s, size %s) is not in the lock", np.Name, hex32(np.Offset), hex32(np.Size))
		}
	}

	ls, ns := locked.Security, now.Security
	c.field("security.flash_encryption", "security", "flash_encryption", ls.FlashEncryption, ns.FlashEncryption)
	c.field("security.flash_encryption_key", "security", "flash_encryption_key", ls.FlashEncryptionKey, ns.FlashEncryptionKey)
	c.field("security.device_encrypts", "security", "device_encrypts", ls.DeviceEncrypts, ns.DeviceEncrypts)
	c.field("security.secure_boot", "security", "secure_boot", ls.SecureBoot, ns.SecureBoot)
	c.field("security.secure_boot_keys", "security", "secure_boot_keys", listText(ls.SecureBootKeys), listText(ns.SecureBootKeys))

	nowKeys := map[string]Key{}
	for _, k := range now.Keys {
		nowKeys[k.Name] = k
	}
	for _, lk := range sortedKeys(locked.Keys) {
		it := keyItem(lk.Name)
		what := fmt.Sprintf("key %q", lk.Name)
		nk, ok := nowKeys[lk.Name]
		if !ok {
			c.add(it, "%s is locked, the device's security no longer uses it", what)
			continue
		}
		delete(nowKeys, lk.Name)
		c.field(it+".algorithm", what, "algorithm", lk.Algorithm, nk.Algorithm)
		c.field(it+".role", what, "role", lk.Role, nk.Role)
		// A key whose file is missing has neither: say so rather than "(none)".
		missing := nk.Digest == "" && nk.Fingerprint == ""
		c.field(it+".digest", what, "digest", orNone(lk.Digest), keyValue(nk.Digest, missing && lk.Digest != ""))
		c.field(it+".fingerprint", what, "fingerprint", orNone(lk.Fingerprint), keyValue(nk.Fingerprint, missing && lk.Fingerprint != ""))
	}
	for _, nk := range sortedKeys(now.Keys) {
		if _, added := nowKeys[nk.Name]; added {
			c.add(keyItem(nk.Name), "key %q (%s) is not in the lock", nk.Name, nk.Role)
		}
	}
	return c.out
}

type comparer struct {
	locked, now *File
	out         []Change
}

// line is the locked item's line, or its block's when the attribute was not read.
func (c *comparer) line(item string) int {
	for {
		if n := c.locked.lines[item]; n > 0 {
			return n
		}
		i := strings.LastIndexByte(item, '.')
		if i < 0 {
			return 0
		}
		item = item[:i]
	}
}

// where is the manifest location of an item or of its block.
func (c *comparer) where(item string) string {
	for {
		if w := c.now.where[item]; w != "" {
			return w
		}
		i := strings.LastIndexByte(item, '.')
		if i < 0 {
			return ""
		}
		item = item[:i]
	}
}

func (c *comparer) add(item, format string, args ...any) {
	c.out = append(c.out, Change{Line: c.line(item), Item: item, Msg: fmt.Sprintf(format, args...), Where: c.where(item)})
}

// field reports one attribute that differs: `partition "nvs" offset locked at 0x9000,
// manifest now gives 0xa000`.
func (c *comparer) field(item, what, attr string, locked, now any) {
	if fmt.Sprint(locked) == fmt.Sprint(now) {
		return
	}
	subject := attr
	if what != "" {
		subject = what + " " + attr
	}
	c.add(item, "%s locked at %v, manifest now gives %v", subject, locked, now)
}

func listText(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	return "[" + strings.Join(ss, ", ") + "]"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func keyValue(s string, missing bool) string {
	if s == "" && missing {
		return "no key (its file does not exist)"
	}
	return orNone(s)
}

func sortedKeys(ks []Key) []Key {
	out := append([]Key(nil), ks...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
