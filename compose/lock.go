package compose

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/lock"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// LockName is the layout lock's file name beside the manifest.
const LockName = "espcompose.lock"

// LockError is a manifest whose layout differs from its lock: each change names the
// locked item (lock file:line) and what the manifest now gives. The CLI exits 2.
type LockError struct {
	File    string
	Changes []lock.Change
	// Device is the device whose configuration differs, "" without a devices block.
	Device string
}

func (e *LockError) Error() string {
	var b strings.Builder
	who := "the manifest"
	if e.Device != "" {
		who = "device " + e.Device
	}
	fmt.Fprintf(&b, "%s changes %d locked item(s) of %s:", who, len(e.Changes), e.File)
	for _, c := range e.Changes {
		b.WriteString("\n  " + c.Format(e.File))
	}
	fmt.Fprintf(&b, "\nIf the change is intended, accept it with 'espcompose lock --update' and review the lock's diff.")
	return b.String()
}

// LockPath is the lock file this project is checked against (unless Options.NoLock).
func (p *Project) LockPath() string {
	if p.opts.LockFile != "" {
		return p.opts.LockFile
	}
	return filepath.Join(filepath.Dir(p.opts.Manifest), LockName)
}

// ReadLock reads the project's lock file; (nil, nil) when there is none at the
// default place (the manifest is not locked). A lock named by Options.LockFile must exist.
func (p *Project) ReadLock() (*lock.File, error) {
	path := p.LockPath()
	data, err := afero.ReadFile(p.fs, path)
	if errors.Is(err, os.ErrNotExist) && p.opts.LockFile == "" {
		return nil, nil
	}
	if err != nil {
		return nil, usagef("lock file %s: %v", path, unwrapPath(err))
	}
	f, err := lock.Parse(data, path)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return f, nil
}

// checkLock refuses, before anything is built or written, a configuration whose
// layout differs from the lock. Every configuration of a devices block must give the
// same layout.
func (p *Project) checkLock() error {
	if p.opts.NoLock {
		return nil
	}
	locked, err := p.ReadLock()
	if err != nil || locked == nil {
		return err
	}
	for _, c := range p.Configs {
		now, err := p.LayoutOf(c)
		if err != nil {
			return err
		}
		if changes := lock.Compare(locked, now); len(changes) > 0 {
			return &UsageError{&LockError{File: p.LockPath(), Changes: changes, Device: c.Config.DeviceID}}
		}
	}
	return nil
}

// LayoutOf is the lock a configuration gives today. It reads key files but never
// creates one: a key not made yet has no digest or fingerprint, which differs from a
// lock that has one (a lock holds a key in place, including against being remade).
func (p *Project) LayoutOf(c *Configuration) (*lock.File, error) {
	pl, cfg := c.Plan, c.Config
	f := &lock.File{Manifest: filepath.Base(p.opts.Manifest), Chip: pl.Chip.Name, FlashSize: cfg.Target.FlashSizeName}
	parents := map[string]string{}
	for _, mp := range cfg.AllPartitions() {
		for _, ch := range mp.Children {
			parents[ch.Name] = mp.Name
		}
	}
	at := func(r hcl.Range) string {
		if r.Filename == "" {
			return ""
		}
		return fmt.Sprintf("%s:%d", filepath.Base(r.Filename), r.Start.Line)
	}
	for _, r := range pl.Regions {
		switch r.Kind {
		case "bootloader":
			f.Bootloader = &lock.Bootloader{Offset: r.Offset, FlashEncrypted: r.Encrypted}
		case "partition-table":
			f.Tables = append(f.Tables, lock.Table{Name: "primary", Offset: r.Offset, MD5: cfg.PartitionTable.MD5, FlashEncrypted: r.Encrypted})
		case "secondary-table":
			f.Tables = append(f.Tables, lock.Table{Name: r.Partition.Name, Offset: r.Offset, MD5: r.Partition.Table.MD5, FlashEncrypted: r.Encrypted})
		case "partition":
			mp := r.Partition
			table := "primary"
			if parent, ok := parents[mp.Name]; ok {
				table = parent
			}
			var flags []string
			if mp.Encrypted {
				flags = append(flags, "encrypted")
			}
			if mp.Readonly {
				flags = append(flags, "readonly")
			}
			f.Partitions = append(f.Partitions, lock.Partition{
				Name: mp.Name, Table: table, Offset: r.Offset, Size: r.Size,
				Type: typeName(mp.Type), Subtype: subtypeName(mp.Type, mp.Subtype), Flags: flags, FlashEncrypted: r.Encrypted,
			})
			f.SetWhere(lock.PartitionItem(mp.Name), at(mp.Range))
			for _, attr := range []string{"offset", "size", "type", "subtype"} {
				if rng, ok := mp.AttrRanges[attr]; ok {
					f.SetWhere(lock.PartitionItem(mp.Name)+"."+attr, at(rng))
				}
			}
		}
	}
	f.Security = lock.Security{FlashEncryption: "off", SecureBoot: "off"}
	var keys []lock.Key
	if sec := cfg.Security; sec != nil {
		if fe := sec.FlashEncryption; fe != nil {
			f.Security.FlashEncryption, f.Security.FlashEncryptionKey, f.Security.DeviceEncrypts = fe.Mode, fe.Key.Name, fe.DeviceEncrypts
			name, role := fe.Key.Name, "flash_encryption"
			if mk := cfg.Key(name); mk != nil && mk.Derive != nil {
				// A derived key differs per device; what every device's key depends on,
				// and what must not change under a fleet, is its master (the derivation
				// is fixed, docs/manufacturing.md), so the lock holds the master.
				name, role = mk.Derive.Name, "flash_encryption_master"
			}
			k, err := p.lockKey(c, name, role, 0)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
		if sb := sec.SecureBoot; sb != nil {
			f.Security.SecureBoot = fmt.Sprintf("v%d", sb.Version)
			for _, ref := range sb.Keys {
				f.Security.SecureBootKeys = append(f.Security.SecureBootKeys, ref.Name)
				k, err := p.lockKey(c, ref.Name, "secure_boot", sb.Version)
				if err != nil {
					return nil, err
				}
				keys = append(keys, k)
			}
		}
	}
	for _, n := range cfg.NVS {
		if n.EncryptWith == nil {
			continue
		}
		if mk := cfg.Key(n.EncryptWith.Name); mk != nil && mk.Algorithm == "nvs-hmac" && !hasKey(keys, mk.Name) {
			// Burned into eFuse as HMAC_UP: an OTA can never change it.
			k, err := p.lockKey(c, mk.Name, "nvs_hmac", 0)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if mk := cfg.Key(k.Name); mk != nil {
			f.SetWhere(lock.KeyItem(k.Name), at(mk.Range))
		}
	}
	f.Keys = keys
	return f, nil
}

func hasKey(ks []lock.Key, name string) bool {
	for _, k := range ks {
		if k.Name == name {
			return true
		}
	}
	return false
}

// lockKey identifies a key without holding its material: a Secure Boot V2 key by the
// public-key digest the eFuse holds, any other key by its fingerprint.
func (p *Project) lockKey(c *Configuration, name, role string, sbVersion int) (lock.Key, error) {
	mk := c.Config.Key(name)
	k := lock.Key{Name: name, Algorithm: mk.Algorithm, Role: role}
	if sbVersion == 2 {
		pub, err := p.lockPublicKey(c, mk)
		if err != nil || pub == nil {
			return k, err
		}
		d, err := secureboot.DigestPublicKeyV2(pub)
		if err != nil {
			return k, fmt.Errorf("key %q: %w", name, err)
		}
		k.Digest = fmt.Sprintf("%x", d)
		return k, nil
	}
	if mk.File == "" {
		return k, nil
	}
	data, err := afero.ReadFile(p.fs, mk.File)
	if errors.Is(err, os.ErrNotExist) {
		return k, nil // not made yet
	}
	if err != nil {
		return k, fmt.Errorf("key %q: %w", name, err)
	}
	k.Fingerprint = stages.Fingerprint(data)
	for i := range data {
		data[i] = 0
	}
	return k, nil
}

// lockPublicKey is a signing key's public half: from its file when it has one (never
// created here), otherwise from its signer (command, token or public-key file).
func (p *Project) lockPublicKey(c *Configuration, mk *manifest.Key) (*secureboot.PublicKey, error) {
	if mk.File != "" {
		data, err := afero.ReadFile(p.fs, mk.File)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", mk.Name, err)
		}
		defer func() {
			for i := range data {
				data[i] = 0
			}
		}()
		priv, err := secureboot.ParsePrivateKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", mk.Name, err)
		}
		return priv.Public(), nil
	}
	s, err := c.env.Signers.Signer(mk.Name)
	if err != nil {
		return nil, err
	}
	return s.PublicKey()
}

func typeName(t uint8) string {
	if n, ok := parttable.TypeName(t); ok {
		return n
	}
	return fmt.Sprintf("0x%02x", t)
}

func subtypeName(t, s uint8) string {
	if n, ok := parttable.SubtypeName(t, s, nil); ok {
		return n
	}
	return fmt.Sprintf("0x%02x", s)
}
