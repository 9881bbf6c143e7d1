package manifest

import (
	"fmt"
	"github.com/hashicorp/hcl/v2"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Known chips. The planner checks chip-specific rules with the codecs' own tables; this
// list only catches typos early, with a suggestion.
var knownChips = []string{
	"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c5", "esp32c6", "esp32c61", "esp32h2", "esp32p4",
}

func (d *decoder) target(b *Block) (Target, cty.Value) {
	t := Target{Range: b.DeclRange}
	if chip, ok := d.str(b.Attr("chip")); ok {
		chip = strings.ToLower(chip)
		if !contains(knownChips, chip) {
			d.errorf(b.Attr("chip").Expr.Range(), "Unknown chip",
				"%q is not a supported chip%s. Supported: %s.", chip, suggest(chip, knownChips), strings.Join(knownChips, ", "))
		}
		t.Chip = chip
	}
	if a := b.Attr("flash_size"); a != nil {
		if n, ok := d.size(a); ok {
			if n < 1<<20 || n&(n-1) != 0 || n > 128<<20 {
				d.errorf(a.Expr.Range(), "Invalid flash size",
					"flash_size must be a power of two from 1MB to 128MB, not %s.", FlashSizeName(uint64(n)))
			} else {
				t.FlashSize = n
				t.FlashSizeName = FlashSizeName(uint64(n))
			}
		}
	}
	if a := b.Attr("flash_mode"); a != nil {
		if m, ok := d.str(a); ok {
			m = strings.ToLower(m)
			modes := []string{"qio", "qout", "dio", "dout"}
			if !contains(modes, m) {
				d.errorf(a.Expr.Range(), "Invalid flash mode", "flash_mode must be one of %s, not %q.", strings.Join(modes, ", "), m)
			}
			t.FlashMode = m
		}
	}
	if a := b.Attr("flash_freq"); a != nil {
		if f, ok := d.str(a); ok {
			t.FlashFreq = strings.ToLower(f)
		}
	}
	if a := b.Attr("min_revision"); a != nil {
		if s, ok := d.str(a); ok {
			var major, minor int
			if n, _ := fmt.Sscanf(strings.TrimPrefix(strings.ToLower(s), "v"), "%d.%d", &major, &minor); n != 2 || major < 0 || minor < 0 || minor > 99 {
				d.errorf(a.Expr.Range(), "Invalid chip revision", "min_revision is written like \"v3.0\" or \"v0.4\", not %q.", s)
			} else {
				t.MinRevision = major*100 + minor
			}
		}
	}
	return t, cty.ObjectVal(map[string]cty.Value{
		"chip":       cty.StringVal(t.Chip),
		"flash_size": cty.StringVal(t.FlashSizeName),
		"flash_mode": cty.StringVal(t.FlashMode),
		"flash_freq": cty.StringVal(t.FlashFreq),
	})
}

var keyAlgorithms = []string{
	"aes-256", "aes-128", "aes-192", "xts-aes-128", "xts-aes-128-derived", "xts-aes-256",
	"rsa-3072", "ecdsa-p192", "ecdsa-p256", "ecdsa-p384",
	"nvs-xts", "nvs-hmac", "hmac",
}

func (d *decoder) key(b *Block) (*Key, cty.Value) {
	k := &Key{Name: b.Name, Range: b.DeclRange}
	if alg, ok := d.str(b.Attr("algorithm")); ok {
		if !contains(keyAlgorithms, alg) {
			d.errorf(b.Attr("algorithm").Expr.Range(), "Unknown key algorithm",
				"%q is not a key algorithm%s. Known: %s.", alg, suggest(alg, keyAlgorithms), strings.Join(keyAlgorithms, ", "))
		}
		k.Algorithm = alg
		k.AlgorithmRange = b.Attr("algorithm").Expr.Range()
	}
	if a := b.Attr("file"); a != nil {
		k.File, _ = d.path(a)
		k.FileRange = a.Expr.Range()
	}
	if a := b.Attr("create"); a != nil {
		k.Create, _ = d.boolean(a)
		k.CreateRange = a.Expr.Range()
	}
	if a := b.Attr("public_key"); a != nil {
		k.PublicKey, _ = d.path(a)
		k.PublicKeyRange = a.Expr.Range()
	}
	if a := b.Attr("signer"); a != nil {
		k.Signer, _ = d.stringList(a)
	}
	for _, p := range b.NestedOf("pkcs11") {
		k.PKCS11 = &PKCS11{}
		k.PKCS11.Module, _ = d.path(p.Attr("module"))
		k.PKCS11.Token, _ = d.str(p.Attr("token"))
		k.PKCS11.Label, _ = d.str(p.Attr("label"))
		k.PKCS11.PinEnv, _ = d.str(p.Attr("pin_env"))
	}
	d.derivedKey(b, k)
	if k.File == "" && k.PublicKey == "" && k.PKCS11 == nil && k.Derive == nil && b.Attr("derive_from") == nil {
		d.errorf(b.DeclRange, "Key has no source",
			"key %q needs file = \"...\" (a local key), derive_from = key.<master> (a per-device flash encryption key), or public_key with a signer command or a pkcs11 block (remote signing).", k.Name)
	}
	if k.File != "" && (len(k.Signer) > 0 || k.PKCS11 != nil) {
		d.errorf(b.DeclRange, "Conflicting key sources",
			"key %q has both a local file and a remote signer; choose one.", k.Name)
	}
	if k.Create && k.File == "" {
		d.errorf(b.Attr("create").Expr.Range(), "Nothing to create", "create = true needs file = \"...\" naming where the key is kept.")
	}
	d.fleetKey(b, k)
	return k, refObject("key", k.Name, map[string]cty.Value{"algorithm": cty.StringVal(k.Algorithm)})
}

func (d *decoder) image(b *Block) (*Image, cty.Value) {
	im := &Image{Name: b.Name, Range: b.DeclRange}
	im.File, _ = d.path(b.Attr("file"))
	if a := b.Attr("file"); a != nil {
		im.FileRange = a.Expr.Range()
	}
	for _, e := range b.NestedOf("expect") {
		ex := &Expect{Range: e.DeclRange, Attrs: map[string]hcl.Range{}}
		for _, name := range []string{"project_name", "version", "idf_version", "secure_version", "chip"} {
			if a := e.Attr(name); a != nil {
				ex.Attrs[name] = a.Expr.Range()
			}
		}
		for name, dst := range map[string]**string{"project_name": &ex.ProjectName, "version": &ex.Version, "idf_version": &ex.IDFVersion, "chip": &ex.Chip} {
			if a := e.Attr(name); a != nil {
				if s, ok := d.str(a); ok {
					*dst = &s
				}
			}
		}
		if ex.Chip != nil {
			chip := strings.ToLower(*ex.Chip)
			if !contains(knownChips, chip) {
				d.errorf(e.Attr("chip").Expr.Range(), "Unknown chip",
					"expect.chip: %q is not a supported chip%s. Supported: %s.", chip, suggest(chip, knownChips), strings.Join(knownChips, ", "))
				ex.Chip = nil
			} else {
				ex.Chip = &chip
			}
		}
		if a := e.Attr("secure_version"); a != nil {
			if n, ok := d.integer(a, 0, 1<<32-1); ok {
				v := uint32(n)
				ex.SecureVersion = &v
			}
		}
		im.Expect = ex
	}
	d.fleetImage(b, im)
	return im, refObject("image", im.Name, map[string]cty.Value{"file": cty.StringVal(im.File)})
}

func (d *decoder) security(b *Block) *Security {
	s := &Security{Range: b.DeclRange}
	for _, o := range []struct {
		name string
		dst  *bool
	}{{"allow_jtag", &s.AllowJTAG}, {"allow_cache_download", &s.AllowCacheDownload},
		{"allow_rom_basic", &s.AllowROMBasic}, {"aggressive_revoke", &s.AggressiveRevoke}} {
		if a := b.Attr(o.name); a != nil {
			*o.dst, _ = d.boolean(a)
		}
	}
	if a := b.Attr("rom_download"); a != nil {
		if m, ok := d.str(a); ok {
			if m != "enabled" && m != "secure" && m != "disabled" {
				d.errorf(a.Expr.Range(), "Invalid ROM download mode", "rom_download must be \"enabled\", \"secure\" or \"disabled\", not %q.", m)
			}
			s.ROMDownload, s.ROMDownloadRange = m, a.Expr.Range()
		}
	}
	for _, fe := range b.NestedOf("flash_encryption") {
		f := &FlashEncryption{Range: fe.DeclRange, Mode: "release", CryptConfig: 0xF}
		f.Key, _ = d.ref(fe.Attr("key"), "key")
		if a := fe.Attr("mode"); a != nil {
			if m, ok := d.str(a); ok {
				if m != "release" && m != "development" {
					d.errorf(a.Expr.Range(), "Invalid flash encryption mode", "mode must be \"release\" or \"development\", not %q.", m)
				}
				f.Mode = m
			}
		}
		if a := fe.Attr("crypt_config"); a != nil {
			if n, ok := d.integer(a, 0, 15); ok {
				f.CryptConfig = uint8(n)
			}
		}
		if a := fe.Attr("device_encrypts"); a != nil {
			f.DeviceEncrypts, _ = d.boolean(a)
		}
		s.FlashEncryption = f
	}
	for _, sb := range b.NestedOf("secure_boot") {
		v := &SecureBoot{Range: sb.DeclRange, Deterministic: true}
		if n, ok := d.integer(sb.Attr("version"), 1, 2); ok {
			v.Version = int(n)
		}
		v.Keys, _ = d.refList(sb.Attr("keys"), "key")
		if len(v.Keys) == 0 || len(v.Keys) > 3 {
			d.errorf(sb.Attr("keys").Expr.Range(), "Wrong number of signing keys",
				"secure_boot needs 1 to 3 keys (3 allow key revocation), not %d.", len(v.Keys))
		}
		if v.Version == 1 && len(v.Keys) > 1 {
			d.errorf(sb.Attr("keys").Expr.Range(), "Wrong number of signing keys", "Secure Boot V1 signs with exactly one key.")
		}
		if a := sb.Attr("deterministic"); a != nil {
			v.Deterministic, _ = d.boolean(a)
		}
		d.fleetSecureBoot(sb, v)
		s.SecureBoot = v
	}
	return s
}

func (d *decoder) bootloader(b *Block) *Bootloader {
	bl := &Bootloader{Range: b.DeclRange}
	bl.Image, _ = d.ref(b.Attr("image"), "image")
	if a := b.Attr("offset"); a != nil {
		if n, ok := d.size(a); ok {
			bl.Offset = &n
		}
	}
	return bl
}

func (d *decoder) partitionTable(b *Block) PartitionTable {
	pt := PartitionTable{Offset: 0x8000, MD5: true}
	if b == nil {
		return pt
	}
	pt.Range = b.DeclRange
	if a := b.Attr("offset"); a != nil {
		if n, ok := d.size(a); ok {
			pt.Offset = n
		}
	}
	if a := b.Attr("md5"); a != nil {
		pt.MD5, _ = d.boolean(a)
	}
	return pt
}

func (d *decoder) ota(b *Block) (*OTA, cty.Value) {
	o := &OTA{Name: b.Name, Range: b.DeclRange}
	o.Image, _ = d.ref(b.Attr("image"), "image")
	o.Slots, _ = d.refList(b.Attr("slots"), "partition")
	for _, ep := range b.NestedOf("encrypted_package") {
		o.PackagePublicKey, _ = d.path(ep.Attr("public_key"))
		if a := ep.Attr("public_key"); a != nil {
			o.PackagePublicKeyRange = a.Expr.Range()
		}
		if a := ep.Attr("secret"); a != nil {
			if r, ok := d.ref(a, "key"); ok {
				o.PackageSecret = &r
			}
		}
	}
	return o, refObject("ota", o.Name, nil)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// output decodes the output block; batch: the manifest has a devices block, whose
// devices get no reports unless asked (10,000 copies of four report files that differ
// only in hashes are no use to a factory; devices.json and devices.csv report the batch).
func (d *decoder) output(b *Block, batch bool) Output {
	o := Output{Name: "flash", Merged: true, Reports: !batch}
	if b == nil {
		return o
	}
	o.Range = b.DeclRange
	if a := b.Attr("name"); a != nil {
		if s, ok := d.str(a); ok {
			if s == "" || strings.ContainsAny(s, "/\\") || s == "." || s == ".." {
				d.errorf(a.Expr.Range(), "Invalid output name", "name must be a plain file name prefix, not %q.", s)
			} else {
				o.Name = s
			}
		}
	}
	for name, dst := range map[string]*bool{"fill_flash": &o.FillFlash, "hex": &o.Hex, "uf2": &o.UF2, "merged": &o.Merged, "reports": &o.Reports} {
		if a := b.Attr(name); a != nil {
			*dst, _ = d.boolean(a)
		}
	}
	if a := b.Attr("device_files"); a != nil {
		o.DeviceFilesRange = a.Expr.Range()
		names, ok := d.stringList(a)
		switch {
		case !ok:
		case !batch:
			d.errorf(a.Expr.Range(), "Not a device batch", "device_files picks what each device of a batch writes; this manifest has no devices block.")
		case len(names) == 0:
			d.errorf(a.Expr.Range(), "No device files", "device_files lists the files each device writes; an empty list would write none. Leave it out to write all of them.")
		default:
			seen := map[string]bool{}
			for _, n := range names {
				if n == "" || strings.HasPrefix(n, "/") || strings.Contains(n, "\\") || slices.Contains(strings.Split(n, "/"), "..") {
					d.errorf(a.Expr.Range(), "Invalid device file", "%q is not a file name relative to the device's folder, such as \"partitions/nvs.bin\".", n)
				} else if !seen[n] {
					seen[n] = true
					o.DeviceFiles = append(o.DeviceFiles, n)
				}
			}
		}
	}
	if !o.Merged {
		for _, x := range []struct {
			n  string
			on bool
		}{{"fill_flash", o.FillFlash}, {"hex", o.Hex}, {"uf2", o.UF2}} {
			if n := x.n; x.on {
				d.errorf(b.Attr(n).Expr.Range(), "Output needs the merged image", "%s = true shapes the merged image, and merged = false writes none; drop one of them.", n)
			}
		}
	}
	return o
}
