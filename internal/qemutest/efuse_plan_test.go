package qemutest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// planStep is one espefuse command of an efuse-plan.sh: "efuse <op> <args...>".
type planStep struct {
	line int
	op   string
	args []string
}

// parsePlan reads the espefuse commands espcompose wrote into efuse-plan.sh. It knows
// the script's fixed lines (shell options, the PORT/DIST defaults, the efuse function,
// the write_flash step) and refuses any other line that is not an efuse command, so a
// plan that grows a new kind of step fails here instead of being half-applied.
func parsePlan(script []byte, dist string) ([]planStep, error) {
	var steps []planStep
	for i, raw := range strings.Split(string(script), "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "", strings.HasPrefix(line, "#"), line == "set -eu",
			strings.HasPrefix(line, ": \"${"), strings.HasPrefix(line, "efuse() {"):
			continue
		case strings.HasPrefix(line, `(cd "$DIST" && esptool.py `) && strings.Contains(line, " write_flash "):
			continue // the emulator is given the merged image instead
		}
		words, err := shellWords(line, map[string]string{"DIST": dist})
		if err != nil {
			return nil, fmt.Errorf("efuse-plan.sh:%d: %v", i+1, err)
		}
		if len(words) < 2 || words[0] != "efuse" {
			return nil, fmt.Errorf("efuse-plan.sh:%d: not an efuse command: %s", i+1, line)
		}
		steps = append(steps, planStep{line: i + 1, op: words[1], args: words[2:]})
	}
	return steps, nil
}

// shellWords splits one POSIX shell command line the way efuse-plan.sh quotes it:
// single quotes (with '\” for a quote), double quotes expanding "$NAME" from vars,
// and bare words. Anything else a shell would interpret is an error.
func shellWords(s string, vars map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '\\' && i+1 < len(s) && s[i+1] == '\'':
			cur.WriteByte('\'')
			i++
			inWord = true
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated double quote")
			}
			in := s[i+1 : i+1+j]
			if strings.HasPrefix(in, "$") {
				v, ok := vars[in[1:]]
				if !ok {
					return nil, fmt.Errorf("unknown variable %s", in)
				}
				in = v
			}
			if strings.ContainsAny(in, "$`\\") {
				return nil, fmt.Errorf("unsupported double-quoted text %q", in)
			}
			cur.WriteString(in)
			i += j + 1
			inWord = true
		case strings.IndexByte("$`\\|&;()<>*?[]{}~", c) >= 0:
			return nil, fmt.Errorf("unsupported shell syntax %q", c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// efuseImage is a chip's eFuse file as QEMU reads it, burned step by step the way
// espefuse burns: bits are only ever set, and a write-protected field or block
// refuses a burn.
type efuseImage struct {
	chip *efuseChip
	data []byte
}

func (e *efuseImage) word(w int) uint32 { return binary.LittleEndian.Uint32(e.data[4*w:]) }

func (e *efuseImage) or(w int, v uint32) {
	binary.LittleEndian.PutUint32(e.data[4*w:], e.word(w)|v)
}

// field reads a BLOCK0 field.
func (e *efuseImage) field(name string) uint32 {
	f := e.chip.fields[name]
	return e.word(f.word) >> f.pos & (1<<f.len - 1)
}

func (e *efuseImage) writeProtected(bit int) bool { return bit >= 0 && e.word(0)>>bit&1 == 1 }

func (e *efuseImage) burnField(name string, v uint64) error {
	f, ok := e.chip.fields[name]
	if !ok {
		return fmt.Errorf("eFuse field %s is not in the tables (efuse_fields_test.go)", name)
	}
	if v >= 1<<f.len {
		return fmt.Errorf("%s is %d bits wide; value %d does not fit", name, f.len, v)
	}
	if e.writeProtected(f.wrDis) {
		return fmt.Errorf("%s is write-protected (WR_DIS bit %d)", name, f.wrDis)
	}
	e.or(f.word, uint32(v)<<f.pos)
	return nil
}

func (e *efuseImage) protectWrite(name string) error {
	if f, ok := e.chip.fields[name]; ok {
		if f.wrDis < 0 {
			return fmt.Errorf("%s cannot be write-protected", name)
		}
		e.or(0, 1<<f.wrDis)
		return nil
	}
	if b, ok := e.chip.blocks[name]; ok {
		e.or(0, 1<<b.wrDis)
		return nil
	}
	return fmt.Errorf("eFuse %s is not in the tables (efuse_fields_test.go)", name)
}

func (e *efuseImage) protectRead(name string) error {
	b, ok := e.chip.blocks[name]
	if !ok || b.rdDis < 0 {
		return fmt.Errorf("eFuse %s cannot be read-protected", name)
	}
	return e.burnFieldBits("RD_DIS", 1<<b.rdDis)
}

// burnFieldBits sets bits of a field, as espefuse does when it protects one block.
func (e *efuseImage) burnFieldBits(name string, bits uint32) error {
	f := e.chip.fields[name]
	if e.writeProtected(f.wrDis) {
		return fmt.Errorf("%s is write-protected (WR_DIS bit %d)", name, f.wrDis)
	}
	e.or(f.word, bits<<f.pos)
	return nil
}

// burnKey is espefuse's burn_key (espefuse/efuse/esp32c3/operations.py burn_key): the
// 32 bytes go into the block, byte-reversed for an AES-XTS purpose; the key purpose is
// set and write-protected; the block is read-protected for a purpose that needs it
// and write-protected.
func (e *efuseImage) burnKey(block string, key []byte, purpose string) error {
	b, ok := e.chip.blocks[block]
	if !ok {
		return fmt.Errorf("unknown key block %s", block)
	}
	p, ok := e.chip.purposes[purpose]
	if !ok {
		return fmt.Errorf("unknown key purpose %s", purpose)
	}
	if len(key) != 32 {
		return fmt.Errorf("%s: key is %d bytes, the block holds 32", block, len(key))
	}
	if e.writeProtected(b.wrDis) {
		return fmt.Errorf("%s is write-protected", block)
	}
	if p.reverse {
		key = reversed(key)
	}
	for i, c := range key {
		e.data[b.fileOffset+i] |= c
	}
	if err := e.burnField(b.purpose, uint64(p.value)); err != nil {
		return err
	}
	if err := e.protectWrite(b.purpose); err != nil {
		return err
	}
	if p.readProtect {
		if err := e.protectRead(block); err != nil {
			return err
		}
	}
	return e.protectWrite(block)
}

// applyPlan burns the plan's steps into a blank device (chip revision v0.3, as QEMU
// assumes) and returns the eFuse file. Files are resolved as the script would: key
// files relative to manifestDir, "$DIST" as dist. skip leaves out every burn of the
// named fields, to make a device whose plan was cut short.
func applyPlan(chip *efuseChip, steps []planStep, manifestDir string, skip map[string]bool) ([]byte, error) {
	e := &efuseImage{chip: chip, data: efuseESP32C3(fuses{})}
	for _, s := range steps {
		if err := e.apply(s, manifestDir, skip); err != nil {
			return nil, fmt.Errorf("efuse-plan.sh:%d: efuse %s: %v", s.line, s.op, err)
		}
	}
	return e.data, nil
}

func (e *efuseImage) apply(s planStep, manifestDir string, skip map[string]bool) error {
	path := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(manifestDir, p)
	}
	for _, a := range s.args {
		if strings.HasPrefix(a, "-") {
			return fmt.Errorf("option %s is not emulated", a)
		}
	}
	switch s.op {
	case "burn_efuse":
		if len(s.args) == 0 || len(s.args)%2 != 0 {
			return fmt.Errorf("want NAME VALUE pairs, have %q", s.args)
		}
		for i := 0; i < len(s.args); i += 2 {
			v, err := strconv.ParseUint(s.args[i+1], 0, 32)
			if err != nil {
				return fmt.Errorf("%s: %v", s.args[i], err)
			}
			if skip[s.args[i]] {
				continue
			}
			if err := e.burnField(s.args[i], v); err != nil {
				return err
			}
		}
	case "burn_key", "burn_key_digest":
		if len(s.args) == 0 || len(s.args)%3 != 0 {
			return fmt.Errorf("want BLOCK FILE PURPOSE triples, have %q", s.args)
		}
		for i := 0; i < len(s.args); i += 3 {
			block, file, purpose := s.args[i], path(s.args[i+1]), s.args[i+2]
			p, ok := e.chip.purposes[purpose]
			if !ok {
				return fmt.Errorf("unknown key purpose %s", purpose)
			}
			if p.digest != (s.op == "burn_key_digest") {
				return fmt.Errorf("purpose %s does not go with %s", purpose, s.op)
			}
			var data []byte
			var err error
			if s.op == "burn_key" {
				data, err = os.ReadFile(file)
			} else {
				data, err = pubKeyDigest(file)
			}
			if err != nil {
				return err
			}
			if skip[block] {
				continue
			}
			if err := e.burnKey(block, data, purpose); err != nil {
				return err
			}
		}
	case "write_protect_efuse":
		for _, n := range s.args {
			if skip[n] {
				continue
			}
			if err := e.protectWrite(n); err != nil {
				return err
			}
		}
	case "read_protect_efuse":
		for _, n := range s.args {
			if skip[n] {
				continue
			}
			if err := e.protectRead(n); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("espefuse command %q is not emulated", s.op)
	}
	return nil
}

// pubKeyDigest is what burn_key_digest burns for a Secure Boot V2 RSA-3072 public key
// (espsecure _digest_sbv2_public_key): the digest sbDigest computes.
func pubKeyDigest(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM block", file)
	}
	var pub any
	if blk.Type == "RSA PUBLIC KEY" {
		pub, err = x509.ParsePKCS1PublicKey(blk.Bytes)
	} else {
		pub, err = x509.ParsePKIXPublicKey(blk.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok || rk.N.BitLen() != 3072 {
		return nil, fmt.Errorf("%s: not an RSA-3072 public key", file)
	}
	return sbDigest(rk), nil
}
