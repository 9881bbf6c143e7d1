package main

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/outputs"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/encimg"
	"github.com/espcompose/espcompose/format/espat"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/format/otadata"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/manifest"
)

// appCheck is an image file read back: its plaintext and its decoded image.
type appCheck struct {
	plain []byte
	img   *appimage.Image
}

// checkImage decodes an image file (decrypted when flash encryption covers it) and
// checks it is the manifest's input image with the target's flash settings in its
// header, the expected app description, and a signature from every secure boot key.
func (g *goldenDist) checkImage(file string, off uint32, encrypted bool, image string, data []byte) appCheck {
	g.t.Helper()
	cfg := g.cfg
	plain := g.decrypt(data, off, encrypted)
	img, err := appimage.Check(plain, cfg.Target.Chip)
	if err != nil {
		g.t.Fatalf("%s: %v", file, err)
	}
	chip, _ := appimage.LookupChip(cfg.Target.Chip)
	mode, _ := img.FlashModeName()
	size, _ := img.FlashSizeName()
	freq, _ := img.FlashFreqName(chip)
	if tg := cfg.Target; (tg.FlashMode != "" && mode != tg.FlashMode) || (tg.FlashFreq != "" && freq != tg.FlashFreq) || size != tg.FlashSizeName {
		g.t.Errorf("%s header says %s %s %s, the target %s %s %s", file, mode, freq, size, tg.FlashMode, tg.FlashFreq, tg.FlashSizeName)
	}
	in := cfg.Image(image)
	input, err := appimage.Decode(g.readInput(in.File))
	if err != nil {
		g.t.Fatal(err)
	}
	if len(img.Segments) != len(input.Segments) {
		g.t.Fatalf("%s has %d segments, its input %s %d", file, len(img.Segments), in.File, len(input.Segments))
	}
	for i, s := range img.Segments {
		if s.Addr != input.Segments[i].Addr || !bytes.Equal(s.Data, input.Segments[i].Data) {
			g.t.Errorf("%s segment %d differs from %s", file, i, in.File)
		}
	}
	if (img.AppDesc == nil) != (input.AppDesc == nil) {
		g.t.Errorf("%s: app description present %v, in the input %v", file, img.AppDesc != nil, input.AppDesc != nil)
	}
	if d := img.AppDesc; d != nil {
		if d.ProjectName != input.AppDesc.ProjectName || d.Version != input.AppDesc.Version {
			g.t.Errorf("%s is %s %s, its input %s %s", file, d.ProjectName, d.Version, input.AppDesc.ProjectName, input.AppDesc.Version)
		}
		if e := in.Expect; e != nil && ((e.ProjectName != nil && *e.ProjectName != d.ProjectName) || (e.Version != nil && *e.Version != d.Version)) {
			g.t.Errorf("%s is %s %s, the manifest expects %v %v", file, d.ProjectName, d.Version, e.ProjectName, e.Version)
		}
	}
	if sec := cfg.Security; sec != nil && sec.SecureBoot != nil && sec.SecureBoot.Version == 2 {
		for _, ref := range sec.SecureBoot.Keys {
			if _, err := secureboot.VerifyV2(plain, g.publicKey(ref.Name)); err != nil {
				g.t.Errorf("%s: no valid signature by key %s: %v", file, ref.Name, err)
			}
		}
	}
	return appCheck{plain, img}
}

// publicKey is the public half of a manifest key: from its private PEM, or its
// public_key file when the private half lives elsewhere (a signer, a token).
func (g *goldenDist) publicKey(name string) *secureboot.PublicKey {
	g.t.Helper()
	k := g.cfg.Key(name)
	if k.File != "" {
		priv, err := secureboot.ParsePrivateKeyPEM(g.readInput(k.File))
		if err != nil {
			g.t.Fatal(err)
		}
		return priv.Public()
	}
	pub, err := secureboot.ParsePublicKeyPEM(g.readInput(k.PublicKey))
	if err != nil {
		g.t.Fatal(err)
	}
	return pub
}

func (g *goldenDist) checkBootloader() {
	off := uint32(0)
	for o, f := range g.flashed {
		if f == "bootloader.bin" {
			off = o
		}
	}
	g.checkImage("bootloader.bin", off, true, g.cfg.Bootloader.Image.Name, g.read("bootloader.bin"))
	g.claim("bootloader.bin")
}

// checkPartitions decodes each written partition by what fills it.
func (g *goldenDist) checkPartitions() {
	names := make([]string, 0, len(g.entries))
	slots := 0
	for n, e := range g.entries {
		names = append(names, n)
		if e.Type == 0 && e.Subtype >= 0x10 && e.Subtype < 0x20 {
			slots++
		}
	}
	sort.Strings(names)
	for _, n := range names {
		e := g.entries[n]
		p, file := e.part, "partitions/"+n+".bin"
		enc := encryptedByRule(p)
		switch {
		case p.Type == 1 && p.Subtype == 0: // otadata
			plain := g.decrypt(g.read(file), e.Offset, enc)
			st, err := otadata.Decode(plain, slots)
			if err != nil {
				g.t.Fatalf("%s: %v", file, err)
			}
			want := -1
			if p.Boot != nil {
				want = int(g.entries[p.Boot.Name].Subtype - 0x10)
			} else if !bytes.Equal(plain, otadata.Blank()) {
				g.t.Errorf("%s: no boot slot is declared, so otadata must be blank", file)
			}
			if st.Slot != want {
				g.t.Errorf("%s selects slot %d, the manifest %d", file, st.Slot, want)
			}
		case p.Contents != nil && p.Contents.Kind == "image":
			g.apps[p.Contents.Name] = g.checkImage(file, e.Offset, enc, p.Contents.Name, g.read(file))
		case p.Contents != nil && p.Contents.Kind == "nvs":
			g.checkNVS(file, p.Contents.Name)
		case p.Contents != nil && p.Contents.Kind == "cert":
			g.checkSecureCert(file, p.Contents.Name, g.decrypt(g.read(file), e.Offset, enc))
		case p.Contents != nil && p.Contents.Kind == "filesystem":
			g.checkFilesystem(file, e.Offset, enc, p.Contents.Name)
		case p.Contents != nil && p.Contents.Kind == "key":
			plain := g.decrypt(g.read(file), e.Offset, enc)
			k := g.cfg.Key(p.Contents.Name)
			if _, err := nvs.ParseKeyPartition(plain); err != nil || !bytes.Equal(plain, g.readInput(k.File)) {
				g.t.Errorf("%s does not decrypt to key %s (%s): %v", file, k.Name, k.File, err)
			}
		default:
			continue // left erased, or filled by a kind no example uses: unclaimed, so a golden pinning it fails
		}
		g.claim(file)
	}
}

// checkNVS decodes an NVS partition (with its keys when encrypted) and compares every
// namespace and entry with what the manifest declares, in order.
func (g *goldenDist) checkNVS(file, name string) {
	var n *manifest.NVS
	for _, x := range g.cfg.NVS {
		if x.Name == name {
			n = x
		}
	}
	var keys *nvs.Keys
	if n.EncryptWith != nil {
		k := g.cfg.Key(n.EncryptWith.Name)
		var ks nvs.Keys
		var err error
		switch k.Algorithm {
		case "nvs-xts":
			ks, err = nvs.ParseKeyPartition(g.readInput(k.File))
		case "nvs-hmac":
			ks, err = nvs.DeriveHMACKeys(g.readInput(k.File))
		default:
			err = fmt.Errorf("no check for NVS key algorithm %s", k.Algorithm)
		}
		if err != nil {
			g.t.Fatal(err)
		}
		keys = &ks
	}
	d, err := nvs.Decode(g.read(file), keys)
	if err != nil {
		g.t.Fatalf("%s: %v", file, err)
	}
	if n.Version != 0 && d.Version != n.Version {
		g.t.Errorf("%s is NVS version %d, the manifest says %d", file, d.Version, n.Version)
	}
	want := &nvs.Partition{}
	if e := n.EspAt; e != nil {
		res, err := espat.Import(os.DirFS(e.RawData), espat.Config{Platform: e.Platform, Module: e.Module, Options: e.Config})
		if err != nil {
			g.t.Fatal(err)
		}
		mergeNVS(want, res.Partition)
	}
	for _, path := range n.ImportCSV {
		imported, err := nvs.ParseCSV(bytes.NewReader(g.readInput(path)), path, os.DirFS(filepath.Dir(path)))
		if err != nil {
			g.t.Fatal(err)
		}
		mergeNVS(want, imported)
	}
	for _, ns := range n.Namespaces {
		var entries []nvs.Entry
		for _, e := range ns.Entries {
			if e.Cert != nil {
				entries = append(entries, g.certEntry(d, ns.Name, e))
				continue
			}
			entries = append(entries, g.nvsEntry(e))
		}
		mergeNVS(want, &nvs.Partition{Namespaces: []nvs.Namespace{{Name: ns.Name, Entries: entries}}})
	}
	if got, exp := nvsLines(&d.Partition), nvsLines(want); got != exp || exp == "" {
		g.t.Errorf("%s decodes to\n%s\nthe manifest declares\n%s", file, got, exp)
	}
}

// nvsEntry is the entry a manifest entry block declares, from its own text.
func (g *goldenDist) nvsEntry(e *manifest.NVSEntry) nvs.Entry {
	g.t.Helper()
	value := func() []byte {
		if e.File != "" {
			return g.readInput(e.File)
		}
		return []byte(*e.Value)
	}
	ints := map[string]nvs.Type{"u8": nvs.U8, "u16": nvs.U16, "u32": nvs.U32, "u64": nvs.U64, "i8": nvs.I8, "i16": nvs.I16, "i32": nvs.I32, "i64": nvs.I64}
	switch typ, isInt := ints[e.Type]; {
	case isInt && e.Type[0] == 'u':
		v, err := strconv.ParseUint(string(value()), 0, 64)
		if err != nil {
			g.t.Fatal(err)
		}
		return nvs.Entry{Key: e.Key, Type: typ, Uint: v}
	case isInt:
		v, err := strconv.ParseInt(string(value()), 0, 64)
		if err != nil {
			g.t.Fatal(err)
		}
		return nvs.Entry{Key: e.Key, Type: typ, Int: v}
	case e.Type == "string":
		return nvs.Entry{Key: e.Key, Type: nvs.String, Str: string(value())}
	case e.Type == "blob" && (e.Encoding == "" || e.Encoding == "binary"):
		return nvs.Entry{Key: e.Key, Type: nvs.Blob, Blob: value()}
	}
	g.t.Fatalf("no check for NVS entry %s of type %s (encoding %q); add one", e.Key, e.Type, e.Encoding)
	return nvs.Entry{}
}

func mergeNVS(dst, src *nvs.Partition) {
	for _, ns := range src.Namespaces {
		i := 0
		for i < len(dst.Namespaces) && dst.Namespaces[i].Name != ns.Name {
			i++
		}
		if i == len(dst.Namespaces) {
			dst.Namespaces = append(dst.Namespaces, nvs.Namespace{Name: ns.Name})
		}
		dst.Namespaces[i].Entries = append(dst.Namespaces[i].Entries, ns.Entries...)
	}
}

func nvsLines(p *nvs.Partition) string {
	var b strings.Builder
	for _, ns := range p.Namespaces {
		for _, e := range ns.Entries {
			fmt.Fprintf(&b, "%s/%s %v int=%d uint=%d str=%q blob=%x\n", ns.Name, e.Key, e.Type, e.Int, e.Uint, e.Str, e.Blob)
		}
	}
	return b.String()
}

// checkOTA decodes ota/manifest.json and every artifact it lists: each slot's file is
// the app encrypted for that slot's offset, each package decrypts with the device key.
func (g *goldenDist) checkOTA() {
	if len(g.cfg.OTAs) == 0 {
		return
	}
	var m struct {
		Format string `json:"format"`
		Chip   string `json:"chip"`
		Slots  []struct {
			OTA, Slot, Offset, File, SHA256, Project, Version string
			Size                                              int
			Encrypted                                         bool
		} `json:"slots"`
		Packages []struct {
			OTA, File, SHA256, Format, Project, Version string
			Size                                        int
		} `json:"packages"`
	}
	if err := json.Unmarshal(g.read("ota/manifest.json"), &m); err != nil {
		g.t.Fatal(err)
	}
	if m.Format != "espcompose-ota/1" || m.Chip != g.cfg.Target.Chip {
		g.t.Errorf("ota/manifest.json: format %q chip %q", m.Format, m.Chip)
	}
	i, pkgs := 0, 0
	for _, o := range g.cfg.OTAs {
		input, err := appimage.Decode(g.readInput(g.cfg.Image(o.Image.Name).File))
		if err != nil {
			g.t.Fatal(err)
		}
		for _, ref := range o.Slots {
			if i >= len(m.Slots) {
				g.t.Fatalf("ota/manifest.json lists %d slots, the manifest more", len(m.Slots))
			}
			s, e := m.Slots[i], g.entries[ref.Name]
			i++
			data := g.read(s.File)
			if s.OTA != o.Name || s.Slot != ref.Name || s.Offset != fmt.Sprintf("0x%x", e.Offset) || s.File != "ota/"+o.Name+"/"+ref.Name+".bin" ||
				s.SHA256 != sha256hex(data) || s.Size != len(data) || s.Encrypted != (g.flashKey != nil) ||
				s.Project != input.AppDesc.ProjectName || s.Version != input.AppDesc.Version {
				g.t.Errorf("ota/manifest.json slot %+v does not match slot %s at 0x%x (%d bytes)", s, ref.Name, e.Offset, len(data))
			}
			g.checkImage(s.File, e.Offset, true, o.Image.Name, data)
			if flashed := "partitions/" + ref.Name + ".bin"; g.flashed[e.Offset] == flashed && !bytes.Equal(data, g.read(flashed)) {
				g.t.Errorf("%s differs from the factory image's %s", s.File, flashed)
			}
			g.claim(s.File)
		}
		if o.PackagePublicKey == "" {
			continue
		}
		if pkgs >= len(m.Packages) {
			g.t.Fatalf("ota/manifest.json lists %d packages, the manifest more", len(m.Packages))
		}
		p := m.Packages[pkgs]
		pkgs++
		data := g.read(p.File)
		app, scheme := g.openPackage(data, g.readInput(o.PackagePublicKey))
		if p.OTA != o.Name || p.File != "ota/"+o.Name+"/"+o.Image.Name+"-encrypted.bin" || p.SHA256 != sha256hex(data) || p.Size != len(data) ||
			p.Format != "esp_encrypted_img ("+scheme+")" || p.Project != input.AppDesc.ProjectName || p.Version != input.AppDesc.Version {
			g.t.Errorf("ota/manifest.json package %+v does not match its %s package", p, scheme)
		}
		g.checkImage(p.File, 0, false, o.Image.Name, app)
		g.claim(p.File)
	}
	if i != len(m.Slots) || pkgs != len(m.Packages) {
		g.t.Errorf("ota/manifest.json lists %d slots and %d packages, the manifest %d and %d", len(m.Slots), len(m.Packages), i, pkgs)
	}
	g.claim("ota/manifest.json")
}

// openPackage decrypts an esp_encrypted_img package with the example's device key: the
// RSA private key among its PEM files whose public half is the package key.
func (g *goldenDist) openPackage(pkg, pubPEM []byte) ([]byte, string) {
	g.t.Helper()
	blk, _ := pem.Decode(pubPEM)
	if blk == nil {
		g.t.Fatal("package key is not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		g.t.Fatal(err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		g.t.Fatalf("no check for a %T package key: add the device key to open it", pub)
	}
	var found []byte
	_ = filepath.WalkDir(g.work, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".pem") || found != nil {
			return err
		}
		raw, _ := os.ReadFile(p)
		if b, _ := pem.Decode(raw); b != nil {
			if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil && k.PublicKey.Equal(rsaPub) {
				app, err := encimg.Decrypt(pkg, k)
				if err != nil {
					g.t.Fatalf("package: %v", err)
				}
				found = app
			}
		}
		return nil
	})
	if found == nil {
		g.t.Fatal("the example holds no device key for its encrypted package")
	}
	return found, "RSA-3072"
}

// fakeTool stands in for esptool/espefuse/espsecure: it records its name, working
// folder and arguments, NUL-separated, one invocation per line.
const fakeTool = `#!/bin/sh
{ printf '%s\0%s' "$(basename "$0")" "$PWD"; for a in "$@"; do printf '\0%s' "$a"; done; printf '\n'; } >> "$ARGV_LOG"
if [ "$(basename "$0")" = espsecure.py ]; then for a in "$@"; do last=$a; done; : > "$last"; fi
if [ "$(basename "$0")" = espefuse.py ] && [ "$5" = burn_key ] && [ "$6" != HMAC_UP ]; then cp "$7" "$ARGV_LOG.burned" 2>/dev/null || :; fi
`

// checkEfusePlan runs efuse-plan.sh against stand-in tools from the manifest folder and
// checks what it would burn: the manifest's flash key, HMAC key and the digests of its
// secure boot keys; and that efuse-plan.md shows the same commands and digests.
func (g *goldenDist) checkEfusePlan() {
	script := filepath.Join(g.root, "efuse-plan.sh")
	if _, err := os.Stat(script); err != nil {
		return
	}
	bin := g.t.TempDir()
	for _, tool := range []string{"espefuse.py", "espsecure.py", "esptool.py"} {
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(fakeTool), 0o755); err != nil {
			g.t.Fatal(err)
		}
	}
	log := filepath.Join(bin, "argv.log")
	cmd := exec.Command("sh", script)
	cmd.Dir = g.work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "ARGV_LOG="+log, "PORT=/dev/ttyTEST", "DIST="+g.root)
	if out, err := cmd.CombinedOutput(); err != nil {
		g.t.Fatalf("efuse-plan.sh: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(log)
	sec := g.cfg.Security
	var burnedKey bool
	var digests, hmac, wantHMAC []string
	burned := map[string]bool{}
	var lastEfuse []string
	for _, n := range g.cfg.NVS {
		if n.EncryptWith != nil && g.cfg.Key(n.EncryptWith.Name).Algorithm == "nvs-hmac" {
			wantHMAC = append(wantHMAC, string(g.readInput(g.cfg.Key(n.EncryptWith.Name).File)))
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		argv := strings.Split(line, "\x00")
		tool, cwd, args := argv[0], argv[1], argv[2:]
		if tool == "esptool.py" {
			if cwd != g.root || args[len(args)-1] != "@flash_args" {
				g.t.Errorf("efuse-plan.sh flashes %v from %s, want @flash_args from the output", args, cwd)
			}
			continue
		}
		if tool != "espefuse.py" || len(args) < 5 || args[1] != g.cfg.Target.Chip || args[3] != "/dev/ttyTEST" {
			continue // espsecure.py of Secure Boot V1: no example uses it
		}
		args = args[4:]
		lastEfuse = args
		if args[0] == "burn_efuse" {
			for i := 1; i < len(args); i += 2 {
				burned[args[i]] = true
			}
		}
		file := func(i int) []byte {
			p := args[i]
			if !filepath.IsAbs(p) {
				p = filepath.Join(cwd, p)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				g.t.Fatalf("efuse-plan.sh burns %s: %v", args[i], err)
			}
			return data
		}
		switch {
		case args[0] == "burn_key" && (strings.HasPrefix(args[len(args)-1], "XTS_AES") || args[1] == "flash_encryption"):
			burnedKey = true
			got := []byte(nil)
			if fe := sec.FlashEncryption; fe != nil && g.cfg.Key(fe.Key.Name).Derive != nil {
				// The script removed the derived key file; the stand-in kept a copy.
				got, _ = os.ReadFile(log + ".burned")
			} else {
				got = file(2)
			}
			if fe := sec.FlashEncryption; fe == nil || !bytes.Equal(got, g.keyBytes(g.cfg.Key(fe.Key.Name))) {
				g.t.Errorf("efuse-plan.sh burns %v, which is not the manifest's flash key", args)
			}
		case args[0] == "burn_key" && args[len(args)-1] == "HMAC_UP":
			hmac = append(hmac, string(file(2)))
		case args[0] == "burn_key_digest":
			pub, err := secureboot.ParsePublicKeyPEM(file(1 + boolInt(len(args) == 4)))
			if err != nil {
				g.t.Fatal(err)
			}
			d, _ := secureboot.DigestPublicKeyV2(pub)
			digests = append(digests, fmt.Sprintf("%x", d))
		}
	}
	if fe := sec; fe != nil && fe.FlashEncryption != nil && !fe.FlashEncryption.DeviceEncrypts && !burnedKey {
		g.t.Error("efuse-plan.sh never burns the flash encryption key")
	}
	// Release mode is what the device reports only with ESP-IDF's secure features
	// burned (outputs/efuse_features.go has the per-chip list); and Secure Download
	// mode shuts espefuse out, so it must come last.
	if fe := sec; fe != nil && fe.FlashEncryption != nil && fe.FlashEncryption.Mode == "release" && !fe.FlashEncryption.DeviceEncrypts &&
		!burned["DIS_DOWNLOAD_MANUAL_ENCRYPT"] && !burned["DISABLE_DL_ENCRYPT"] {
		g.t.Error("efuse-plan.sh is release mode but never disables encrypted download")
	}
	if sec != nil && (sec.SecureBoot != nil || sec.FlashEncryption != nil && sec.FlashEncryption.Mode == "release" && !sec.FlashEncryption.DeviceEncrypts) &&
		!sec.AllowJTAG && !burned["DIS_PAD_JTAG"] && !burned["JTAG_DISABLE"] && !burned["HARD_DIS_JTAG"] {
		g.t.Error("efuse-plan.sh leaves JTAG enabled, which the manifest does not allow")
	}
	if burned["ENABLE_SECURITY_DOWNLOAD"] && strings.Join(lastEfuse, " ") != "burn_efuse ENABLE_SECURITY_DOWNLOAD 1" {
		g.t.Errorf("efuse-plan.sh runs %v after enabling Secure Download mode", lastEfuse)
	}
	if strings.Join(hmac, "\x00") != strings.Join(wantHMAC, "\x00") {
		g.t.Errorf("efuse-plan.sh burns %d HMAC keys, not the manifest's %d NVS HMAC keys", len(hmac), len(wantHMAC))
	}
	var want []string
	if sec != nil && sec.SecureBoot != nil && sec.SecureBoot.Version == 2 {
		for _, ref := range sec.SecureBoot.Keys {
			d, _ := secureboot.DigestPublicKeyV2(g.publicKey(ref.Name))
			want = append(want, fmt.Sprintf("%x", d))
		}
	}
	if strings.Join(digests, " ") != strings.Join(want, " ") {
		g.t.Errorf("efuse-plan.sh burns digests %v, the manifest's keys are %v", digests, want)
	}
	checkFleetBurns(g.t, g.cfg, burned)
	g.claim("efuse-plan.sh")
	md := string(g.read("efuse-plan.md"))
	var shown, run []string
	inFence := false
	for _, l := range strings.Split(md, "\n") {
		switch {
		case l == "```sh" || l == "```":
			inFence = l == "```sh"
		case inFence:
			shown = append(shown, l)
		}
	}
	for _, l := range strings.Split(string(g.read("efuse-plan.sh")), "\n") {
		for _, cmd := range []string{"efuse ", "(cd ", "espsecure.py ", "rm ", "keydir=", "trap ", `"${ESPCOMPOSE`, "shred ", "rmdir "} {
			if strings.HasPrefix(l, cmd) {
				run = append(run, l)
				break
			}
		}
	}
	if strings.Join(shown, "\n") != strings.Join(run, "\n") || len(run) == 0 {
		g.t.Errorf("efuse-plan.md shows\n%s\nefuse-plan.sh runs\n%s", strings.Join(shown, "\n"), strings.Join(run, "\n"))
	}
	for i, d := range want {
		if !strings.Contains(md, fmt.Sprintf("- key %d (", i)) || !strings.Contains(md, "`"+d+"`") {
			g.t.Errorf("efuse-plan.md does not list digest %s of key %d", d, i)
		}
	}
	g.claim("efuse-plan.md")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkPublicKeys: keys/<name>.pub.pem is the public half of manifest key <name>.
func (g *goldenDist) checkPublicKeys() {
	files, _ := filepath.Glob(filepath.Join(g.root, "keys", "*.pub.pem"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pub.pem")
		pub, err := secureboot.ParsePublicKeyPEM(g.read("keys/" + filepath.Base(f)))
		if err != nil || g.cfg.Key(name) == nil || !pub.Equal(g.publicKey(name)) {
			g.t.Errorf("keys/%s.pub.pem is not the public half of key %s: %v", name, name, err)
		}
		g.claim("keys/" + filepath.Base(f))
	}
}

// checkRecord decodes build.json: the manifest and every input by hash, the target,
// and every output file with its real hash and size.
func (g *goldenDist) checkRecord() {
	var rec struct {
		Manifest struct{ Path, SHA256 string }   `json:"manifest"`
		Target   map[string]string               `json:"target"`
		Inputs   []struct{ Path, SHA256 string } `json:"inputs"`
		Outputs  []struct {
			Path, SHA256 string
			Size         int
		} `json:"outputs"`
		FlashMap []struct{ Offset, File string } `json:"flash_map"`
	}
	if err := json.Unmarshal(g.read("build.json"), &rec); err != nil {
		g.t.Fatal(err)
	}
	tg := g.cfg.Target
	if rec.Manifest.Path != "espcompose.hcl" || rec.Manifest.SHA256 != sha256hex(g.readInput("espcompose.hcl")) ||
		rec.Target["chip"] != tg.Chip || rec.Target["flash_size"] != tg.FlashSizeName || rec.Target["flash_mode"] != tg.FlashMode || rec.Target["flash_freq"] != tg.FlashFreq {
		g.t.Errorf("build.json manifest %+v target %v do not match", rec.Manifest, rec.Target)
	}
	for _, in := range rec.Inputs {
		if sha256hex(g.readInput(in.Path)) != in.SHA256 {
			g.t.Errorf("build.json: input %s hash is wrong", in.Path)
		}
	}
	var outs []string
	for _, o := range rec.Outputs {
		data := g.read(o.Path)
		if sha256hex(data) != o.SHA256 || len(data) != o.Size {
			g.t.Errorf("build.json: output %s hash or size is wrong", o.Path)
		}
		outs = append(outs, o.Path)
	}
	var files []string
	_ = filepath.WalkDir(g.root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(g.root, p)
		// The ownership marker is the publisher's, not the build's: checked in publish tests.
		// So is a device batch's record (checkBatchRecord).
		if err == nil && !d.IsDir() && rel != "build.json" && rel != "SHA256SUMS" && rel != outputs.Marker && rel != compose.RecordName {
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	if strings.Join(outs, " ") != strings.Join(files, " ") {
		g.t.Errorf("build.json lists outputs %v, the folder holds %v", outs, files)
	}
	for _, r := range rec.FlashMap {
		if r.File != "" && fmt.Sprintf("0x%x", offsetOfFile(g.flashed, r.File)) != r.Offset {
			g.t.Errorf("build.json flash map puts %s at %s", r.File, r.Offset)
		}
	}
	g.claim("build.json")
}

func offsetOfFile(flashed map[uint32]string, file string) uint32 {
	for off, f := range flashed {
		if f == file {
			return off
		}
	}
	return 0xFFFFFFFF
}
