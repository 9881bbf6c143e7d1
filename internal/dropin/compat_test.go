package dropin

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/testimage"
	"github.com/espcompose/espcompose/stages"
)

// harness is a project folder in memory: /w/proj is the working directory, /w/shared
// sits beside it (for ../ paths).
type harness struct {
	t     *testing.T
	fs    afero.Fs
	env   *Env
	out   bytes.Buffer
	err   bytes.Buffer
	modes map[string]os.FileMode
}

var (
	fixOnce sync.Once
	fixRSA  []byte
	fixEC   []byte
	fixApp  []byte
	fixBoot []byte
)

func newHarness(t *testing.T) *harness {
	t.Helper()
	fixOnce.Do(func() {
		var err error
		if fixRSA, err = stages.GenerateKey("rsa-3072", rand.Reader); err != nil {
			panic(err)
		}
		if fixEC, err = stages.GenerateKey("ecdsa-p256", rand.Reader); err != nil {
			panic(err)
		}
		if fixApp, err = testimage.App(testimage.AppSpec{Chip: "esp32c3", Project: "p", Version: "1"}); err != nil {
			panic(err)
		}
		if fixBoot, err = testimage.BootloaderWith(testimage.AppSpec{Chip: "esp32"}); err != nil {
			panic(err)
		}
	})
	h := &harness{t: t, fs: afero.NewMemMapFs(), modes: map[string]os.FileMode{}}
	h.env = &Env{FS: h.fs, Stdout: &h.out, Stderr: &h.err, Dir: "/w/proj", Rand: rand.Reader,
		Write: func(p string, data []byte, mode os.FileMode, exclusive bool) error {
			if exclusive {
				if _, err := h.fs.Stat(p); err == nil {
					return os.ErrExist
				}
			}
			h.modes[p] = mode
			_ = h.fs.MkdirAll(filepath.Dir(p), 0o755)
			return afero.WriteFile(h.fs, p, data, mode)
		}}
	h.put("rsa.pem", fixRSA)
	h.put("ec.pem", fixEC)
	h.put("app.bin", fixApp)
	h.put("boot.bin", fixBoot)
	h.put("fe32.bin", bytes.Repeat([]byte{0x11}, 32))
	h.put("fe64.bin", bytes.Repeat([]byte{0x22}, 64))
	h.put("data.bin", bytes.Repeat([]byte{0xAB}, 4096))
	h.put("parts.csv", []byte("nvs,data,nvs,0x9000,0x6000,\nphy_init,data,phy,0xf000,0x1000,\nfactory,app,factory,0x10000,1M,\n"))
	h.put("/w/shared/cert.pem", []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	h.put("nvs.csv", []byte("key,type,encoding,value\nns,namespace,,\nn,data,u8,7\ncert,file,string,../shared/cert.pem\n"))
	return h
}

func (h *harness) put(p string, b []byte) {
	if !filepath.IsAbs(p) {
		p = filepath.Join("/w/proj", p)
	}
	_ = h.fs.MkdirAll(filepath.Dir(p), 0o755)
	if err := afero.WriteFile(h.fs, p, b, 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) get(p string) []byte {
	if !filepath.IsAbs(p) {
		p = filepath.Join("/w/proj", p)
	}
	b, err := afero.ReadFile(h.fs, p)
	if err != nil {
		h.t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", p, err, h.out.String(), h.err.String())
	}
	return b
}

func (h *harness) exists(p string) bool {
	_, err := h.fs.Stat(filepath.Join("/w/proj", p))
	return err == nil
}

// run runs a command line written as the shell would split it (single spaces).
func (h *harness) run(line string) int {
	h.t.Helper()
	h.out.Reset()
	h.err.Reset()
	f := strings.Fields(line)
	return Run(f[0], f[1:], h.env)
}

// ok runs and requires exit 0.
func (h *harness) ok(line string) string {
	h.t.Helper()
	if code := h.run(line); code != 0 {
		h.t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", line, code, h.out.String(), h.err.String())
	}
	return h.out.String()
}

// fails runs and requires exit code and a message fragment on stdout or stderr.
func (h *harness) fails(line string, code int, msg string) {
	h.t.Helper()
	got := h.run(line)
	if got != code {
		h.t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", line, got, code, h.out.String(), h.err.String())
	}
	if all := h.out.String() + h.err.String(); !strings.Contains(all, msg) {
		h.t.Fatalf("%s: output lacks %q:\n%s", line, msg, all)
	}
}

func (h *harness) equal(a, b string) {
	h.t.Helper()
	if !bytes.Equal(h.get(a), h.get(b)) {
		h.t.Fatalf("%s and %s differ", a, b)
	}
}

var compatRows = map[string]func(h *harness){
	"es-banner": func(h *harness) {
		out := h.ok("espsecure digest_sbv2_public_key -k rsa.pem -o d.bin")
		if !strings.HasPrefix(out, "espsecure.py v4.8.1\n") {
			h.t.Fatalf("no banner: %q", out)
		}
	},
	"es-v5": func(h *harness) {
		h.ok("espsecure encrypt_flash_data --keyfile fe32.bin --address 0x1000 --flash_crypt_conf 0x3 --output a.bin data.bin")
		h.ok("espsecure encrypt-flash-data --keyfile fe32.bin --address 0x1000 --flash-crypt-conf 0x3 --output b.bin data.bin")
		h.equal("a.bin", "b.bin")
		h.ok("espsecure encrypt_flash_data --aes-xts -k fe64.bin -a 0x1000 -o c.bin data.bin")
		h.ok("espsecure encrypt_flash_data --aes_xts -k fe64.bin -a 0x1000 -o d.bin data.bin")
		h.equal("c.bin", "d.bin")
	},
	"es-abbrev": func(h *harness) {
		h.ok("espsecure encrypt_flash_data --key fe32.bin --addr=0x1000 -oa.bin data.bin")
		h.ok("espsecure encrypt_flash_data --keyfile fe32.bin --address 0x1000 -o b.bin data.bin")
		h.equal("a.bin", "b.bin")
	},
	"es-usage": func(h *harness) {
		h.fails("espsecure encrypt_flash_data -k fe32.bin -o x.bin data.bin", 2, "espsecure encrypt_flash_data: error: the following arguments are required: --address/-a")
		h.fails("espsecure encrypt_flash_data -k fe32.bin -a 0 -o x.bin --bogus data.bin", 2, "error: unrecognized arguments: --bogus")
		h.fails("espsecure sign_data --version 3 -k rsa.pem app.bin", 2, "argument --version/-v: invalid choice: '3' (choose from '1', '2')")
		h.fails("espsecure sign_data -v 2 -k nope.pem app.bin", 2, "espsecure sign_data: error: argument --keyfile/-k: can't open 'nope.pem': [Errno 2] No such file or directory: 'nope.pem'")
	},
	"es-samefile": func(h *harness) {
		h.fails("espsecure encrypt_flash_data -k fe32.bin -a 0x1000 -o data.bin data.bin", 2, `The input "data.bin" and output "data.bin" should not be the same!`)
		h.fails("espsecure digest_sbv2_public_key -k rsa.pem -o ./rsa.pem", 2, "should not be the same")
		h.fails("espsecure sign_data -v 2 -k rsa.pem -o app.bin app.bin", 2, "should not be the same")
	},
	"es-enc": func(h *harness) {
		h.ok("espsecure encrypt_flash_data -k fe32.bin -a 0x20000 -o e.bin data.bin")
		if bytes.Equal(h.get("e.bin"), h.get("data.bin")) {
			h.t.Fatal("not encrypted")
		}
		h.ok("espsecure decrypt_flash_data -k fe32.bin -a 0x20000 -o p.bin e.bin")
		h.equal("p.bin", "data.bin")
	},
	"es-enc-xts": func(h *harness) {
		for _, k := range []string{"fe32.bin", "fe64.bin"} {
			h.ok("espsecure encrypt_flash_data -x -k " + k + " -a 0x10 -o e.bin data.bin")
			h.ok("espsecure decrypt_flash_data -x -k " + k + " -a 0x10 -o p.bin e.bin")
			h.equal("p.bin", "data.bin")
		}
	},
	"es-enc-conf": func(h *harness) {
		out := h.ok("espsecure encrypt_flash_data -k fe32.bin -a 0 --flash_crypt_conf 0 -o a.bin data.bin")
		if !strings.Contains(out, "WARNING: Setting FLASH_CRYPT_CONF to zero is not recommended") {
			h.t.Fatal(out)
		}
		h.ok("espsecure encrypt_flash_data -k fe32.bin -a 0 --flash_crypt_conf 0xf -o b.bin data.bin")
		h.ok("espsecure encrypt_flash_data -k fe32.bin -a 0 -o c.bin data.bin")
		h.equal("b.bin", "c.bin") // 0xF is the default
	},
	"es-enc-conf-xts": func(h *harness) {
		h.ok("espsecure encrypt_flash_data -x -k fe32.bin -a 0 --flash_crypt_conf 0x3 -o a.bin data.bin")
		h.ok("espsecure encrypt_flash_data -x -k fe32.bin -a 0 -o b.bin data.bin")
		h.equal("a.bin", "b.bin")
	},
	"es-enc-align": func(h *harness) {
		h.fails("espsecure encrypt_flash_data -k fe32.bin -a 0x1008 -o a.bin data.bin", 2, "A fatal error occurred: Starting flash address 0x1008 must be a multiple of 16")
		if h.exists("a.bin") {
			h.t.Fatal("output written")
		}
	},
	"es-enc-pad": func(h *harness) {
		h.put("odd.bin", []byte("0123456789"))
		h.fails("espsecure encrypt_flash_data -k fe32.bin -a 0 -o a.bin odd.bin", 2, "espcompose is deterministic and refuses")
	},
	"es-sign-v1": func(h *harness) {
		h.ok("espsecure sign_data -v 1 -k ec.pem -o s1.bin data.bin")
		h.ok("espsecure sign_data -v 1 -k ec.pem -o s2.bin data.bin")
		h.equal("s1.bin", "s2.bin")
		h.ok("espsecure verify_signature -v 1 -k ec.pem s1.bin")
	},
	"es-sign-v2": func(h *harness) {
		h.ok("espsecure sign_data -v 2 -k rsa.pem ec.pem -o s1.bin app.bin")
		h.ok("espsecure sign_data -v 2 -k rsa.pem ec.pem -o s2.bin app.bin")
		h.equal("s1.bin", "s2.bin") // deterministic
		h.ok("espsecure sign_data -v 2 -k rsa.pem --randomize -o r1.bin app.bin")
		h.ok("espsecure sign_data -v 2 -k rsa.pem --randomize -o r2.bin app.bin")
		if bytes.Equal(h.get("r1.bin"), h.get("r2.bin")) {
			h.t.Fatal("--randomize gave equal signatures")
		}
		h.ok("espsecure verify_signature -v 2 -k rsa.pem r1.bin")
	},
	"es-sign-inplace": func(h *harness) {
		n := len(h.get("app.bin"))
		h.ok("espsecure sign_data app.bin -v 2 -k rsa.pem")
		if len(h.get("app.bin")) <= n {
			h.t.Fatal("not signed in place")
		}
		h.ok("espsecure verify_signature -v 2 -k rsa.pem app.bin")
	},
	"es-sign-append": func(h *harness) {
		h.ok("espsecure sign_data -v 2 -k rsa.pem -o s1.bin app.bin")
		out := h.ok("espsecure sign_data -v 2 -a -k rsa.pem -o s2.bin s1.bin")
		if !strings.Contains(out, "Signature block 0 is valid (RSA).\n1 valid signature block(s) already present") || !strings.Contains(out, "Signature sector now has 2 signature blocks.") {
			h.t.Fatal(out)
		}
	},
	"es-sign-precalc": func(h *harness) {
		k, err := secureboot.ParsePrivateKeyPEM(fixRSA)
		if err != nil {
			h.t.Fatal(err)
		}
		u, err := secureboot.PrepareV2(h.get("data.bin"), secureboot.PrepareOptions{})
		if err != nil {
			h.t.Fatal(err)
		}
		sig, err := secureboot.SignDigest(k, u.Digest(secureboot.SchemeRSA3072), nil)
		if err != nil {
			h.t.Fatal(err)
		}
		h.put("sig.bin", sig)
		h.ok("espsecure extract_public_key -v 2 -k rsa.pem pub.pem")
		h.ok("espsecure sign_data -v 2 -o s.bin data.bin --pub-key pub.pem --signature sig.bin")
		h.ok("espsecure verify_signature -v 2 -k pub.pem s.bin")
	},
	"es-sign-pad": func(h *harness) {
		h.put("odd.bin", bytes.Repeat([]byte{1}, 100))
		out := h.ok("espsecure sign_data -v 2 -k rsa.pem -o s.bin odd.bin")
		if !strings.Contains(out, "Padding data contents by 3996 bytes so signature sector aligns at sector boundary") {
			h.t.Fatal(out)
		}
	},
	"es-sign-skip-padding": func(h *harness) {
		h.ok("espsecure sign_data -v 2 --skip-padding -k rsa.pem -o s.bin data.bin")
		h.put("odd.bin", bytes.Repeat([]byte{1}, 100))
		h.fails("espsecure sign_data -v 2 --skip-padding -k rsa.pem -o t.bin odd.bin", 2, "only signs sector-aligned data")
	},
	"es-sign-hsm": func(h *harness) {
		h.fails("espsecure sign_data -v 2 --hsm --hsm-config c.ini -o s.bin app.bin", 2, "does not talk to an HSM")
	},
	"es-verify-v1": func(h *harness) {
		h.ok("espsecure sign_data -v 1 -k ec.pem -o s.bin data.bin")
		h.ok("espsecure extract_public_key -v 1 -k ec.pem raw.bin")
		out := h.ok("espsecure verify_signature -v 1 -k raw.bin s.bin")
		if !strings.Contains(out, "Verifying 4096 bytes of data\nSignature is valid\n") {
			h.t.Fatal(out)
		}
		h.fails("espsecure verify_signature -v 1 -k raw.bin data.bin", 2, "A fatal error occurred")
	},
	"es-verify-v2": func(h *harness) {
		h.ok("espsecure sign_data -v 2 -k rsa.pem -o s.bin app.bin")
		out := h.ok("espsecure verify_signature -v 2 -k rsa.pem s.bin")
		if !strings.Contains(out, "Signature block 0 verification successful using the supplied key (RSA).") {
			h.t.Fatal(out)
		}
		h.fails("espsecure verify_signature -v 2 -k ec.pem s.bin", 2, "Signature block 0 is not signed by the supplied key")
	},
	"es-extract": func(h *harness) {
		h.ok("espsecure extract_public_key -k ec.pem raw.bin")
		if n := len(h.get("raw.bin")); n != 64 {
			h.t.Fatalf("v1 public key is %d bytes", n)
		}
		out := h.ok("espsecure extract_public_key -v 2 -k rsa.pem pub.pem")
		if out != "espsecure.py v4.8.1\nrsa.pem public key extracted to pub.pem\n" || !bytes.Contains(h.get("pub.pem"), []byte("PUBLIC KEY")) {
			h.t.Fatal(out)
		}
	},
	"es-digest-pub": func(h *harness) {
		h.ok("espsecure digest_sbv2_public_key -k rsa.pem -o a.bin")
		h.ok("espsecure digest_rsa_public_key -k rsa.pem -o b.bin")
		h.equal("a.bin", "b.bin")
		if len(h.get("a.bin")) != 32 {
			h.t.Fatal("digest length")
		}
	},
	"es-siginfo": func(h *harness) {
		h.ok("espsecure sign_data -v 2 -k rsa.pem -o s.bin app.bin")
		out := h.ok("espsecure signature_info_v2 s.bin")
		if !strings.Contains(out, "Signature block 0 is valid (RSA).\nPublic key digest for block 0: ") {
			h.t.Fatal(out)
		}
	},
	"es-digest-priv": func(h *harness) {
		out := h.ok("espsecure digest_private_key -k ec.pem -l 192 d.bin")
		if !strings.Contains(out, "SHA-256 digest of private key ec.pem (truncated to 192 bits) written to d.bin") || len(h.get("d.bin")) != 24 {
			h.t.Fatal(out)
		}
		if h.modes["/w/proj/d.bin"] != 0o600 {
			h.t.Fatalf("mode %o", h.modes["/w/proj/d.bin"])
		}
	},
	"es-genkey": func(h *harness) {
		h.ok("espsecure generate_signing_key -v 2 -s ecdsa384 k.pem")
		k, err := secureboot.ParsePrivateKeyPEM(h.get("k.pem"))
		if err != nil || k.Scheme != secureboot.SchemeECDSAP384 || h.modes["/w/proj/k.pem"] != 0o600 {
			h.t.Fatalf("%v %v", err, h.modes)
		}
		h.ok("espsecure generate_signing_key v1.pem")
		if k, err := secureboot.ParsePrivateKeyPEM(h.get("v1.pem")); err != nil || k.Scheme != secureboot.SchemeECDSAP256 {
			h.t.Fatal(err)
		}
		h.fails("espsecure generate_signing_key v1.pem", 2, "ERROR: Key file v1.pem already exists")
	},
	"es-genkey-192": func(h *harness) {
		h.fails("espsecure generate_signing_key -v 2 -s ecdsa192 k.pem", 2, "cannot generate ecdsa192 keys")
	},
	"es-fekey": func(h *harness) {
		out := h.ok("espsecure generate_flash_encryption_key -l 512 k.bin")
		if !strings.Contains(out, "Writing 512 random bits to key file k.bin") || len(h.get("k.bin")) != 64 || h.modes["/w/proj/k.bin"] != 0o600 {
			h.t.Fatal(out)
		}
		old := h.get("k.bin")
		if h.run("espsecure generate_flash_encryption_key k.bin") == 0 || !bytes.Equal(old, h.get("k.bin")) {
			h.t.Fatal("an existing key file was replaced")
		}
	},
	"es-digest-boot": func(h *harness) {
		h.put("iv.bin", bytes.Repeat([]byte{3}, 128))
		out := h.ok("espsecure digest_secure_bootloader -k fe32.bin --iv iv.bin -o a.bin boot.bin")
		if !strings.Contains(out, "WARNING: --iv argument is for TESTING PURPOSES ONLY") {
			h.t.Fatal(out)
		}
		h.ok("espsecure digest_secure_bootloader -k fe32.bin -o b.bin boot.bin")
		h.ok("espsecure digest_secure_bootloader -k fe32.bin -o c.bin boot.bin")
		h.equal("b.bin", "c.bin") // deterministic IV
		h.ok("espsecure digest_secure_bootloader -k fe32.bin boot.bin")
		if !h.exists("boot-digest-0x0000.bin") {
			h.t.Fatal("default output name")
		}
		h.ok("espsecure digest_secure_bootloader -k fe32.bin --random-iv -o d.bin boot.bin")
		if bytes.Equal(h.get("d.bin")[:128], h.get("b.bin")[:128]) {
			h.t.Fatal("--random-iv gave the derived IV")
		}
	},
	"et-serial-opts": func(h *harness) {
		h.ok("esptool --chip esp32 --port /dev/ttyUSB0 --baud 921600 --before default_reset --after hard_reset --no-stub --trace --connect-attempts 3 merge_bin -o m.bin 0x1000 boot.bin")
		if !strings.Contains(h.err.String(), "--port only affects a serial connection to a chip; ignored") {
			h.t.Fatal(h.err.String())
		}
	},
	"et-serial-cmds": func(h *harness) {
		for _, c := range []string{"write_flash 0x0 app.bin", "read_flash 0 0x1000 x.bin", "erase_flash", "read_mac", "chip_id", "write-flash 0 app.bin"} {
			h.fails("esptool --chip esp32 -p /dev/ttyUSB0 "+c, 2, "out of scope")
		}
	},
	"et-elf2image": func(h *harness) {
		h.fails("esptool --chip esp32 elf2image app.elf", 2, "does not convert ELF files")
	},
	"et-chip": func(h *harness) {
		h.fails("esptool merge_bin -o m.bin 0x1000 boot.bin", 2, "A fatal error occurred: Please specify the chip argument (choose from esp8266, esp32,")
	},
	"et-merge": func(h *harness) {
		out := h.ok("esptool --chip esp32 merge_bin -o m.bin 0x1000 boot.bin 0x10000 app.bin")
		if !strings.Contains(out, "Wrote 0x") || !strings.Contains(out, "bytes to file m.bin, ready to flash to offset 0x0") {
			h.t.Fatal(out)
		}
		m := h.get("m.bin")
		if !bytes.Equal(m[0x1000:0x1000+len(fixBoot)], fixBoot) || !bytes.Equal(m[0x10000:], fixApp) {
			h.t.Fatal("merged content")
		}
	},
	"et-merge-args": func(h *harness) {
		h.fails("esptool --chip esp32 merge_bin -o m.bin 0x1000", 2, "esptool merge_bin: error: argument <address> <filename>: Must be pairs of an address and the binary filename to write there")
		h.fails("esptool --chip esp32 merge_bin -o m.bin zz boot.bin", 2, `esptool merge_bin: error: argument <address> <filename>: Address "zz" must be a number`)
		h.fails("esptool --chip esp32 merge_bin -o m.bin 0x1000 nope.bin", 2, "esptool merge_bin: error: argument <address> <filename>: [Errno 2] No such file or directory: 'nope.bin'")
		h.fails("esptool --chip esp32 merge_bin -o m.bin 0x1000 boot.bin 0x1000 app.bin", 2, "esptool merge_bin: error: argument <address> <filename>: Detected overlap at address: 0x1000 for file: app.bin")
		if h.out.Len() != 0 || h.exists("m.bin") {
			h.t.Fatal("banner printed or output written")
		}
	},
	"et-info-errors": func(h *harness) {
		h.fails("esptool --chip esp32 image_info data.bin", 2, "esptool.py v4.8.1\nFile size: 4096 (bytes)\n\nA fatal error occurred: This is not a valid image (invalid magic number: 0xab)\n")
	},
	"et-merge-params": func(h *harness) {
		h.ok("esptool --chip esp32 merge_bin -o a.bin -fm dout -ff 80m -fs 4MB 0x1000 boot.bin")
		h.ok("esptool --chip esp32 merge_bin -o b.bin --flash-mode dout --flash-freq 80m --flash-size 4MB 0x1000 boot.bin")
		h.ok("esptool --chip esp32 merge_bin -o c.bin --flash_mode dout --flash_freq 80m --flash_size 4MB 0x1000 boot.bin")
		h.equal("a.bin", "b.bin")
		h.equal("a.bin", "c.bin")
		if b := h.get("a.bin")[0x1000:]; b[2] != 3 || b[3] != 0x2f {
			h.t.Fatalf("header %x", b[:4])
		}
	},
	"et-merge-target": func(h *harness) {
		h.ok("esptool --chip esp32 merge_bin -o a.bin -t 0x1000 --fill-flash-size 1MB 0x1000 boot.bin")
		h.ok("esptool --chip esp32 merge_bin -o b.bin --target-offset 0x1000 --pad-to-size 1MB 0x1000 boot.bin")
		h.equal("a.bin", "b.bin")
		if n := len(h.get("a.bin")); n != 1<<20-0x1000 {
			h.t.Fatalf("size %#x", n)
		}
	},
	"et-merge-hex": func(h *harness) {
		h.ok("esptool --chip esp32 merge_bin --format hex -o m.hex 0x1000 boot.bin 0x10000 app.bin")
		h.ok("esptool --chip esp32 merge_bin -o back.bin 0x1000 m.hex")
		h.ok("esptool --chip esp32 merge_bin -o raw.bin 0x1000 boot.bin 0x10000 app.bin")
		if !bytes.Equal(h.get("back.bin"), h.get("raw.bin")[:len(h.get("back.bin"))]) || len(h.get("back.bin")) != len(h.get("raw.bin")) {
			h.t.Fatal("hex round trip")
		}
	},
	"et-merge-uf2": func(h *harness) {
		out := h.ok("esptool --chip esp32 merge_bin --format uf2 --chunk-size 256 --md5-disable -o m.uf2 0x1000 boot.bin")
		if !strings.Contains(out, "Adding boot.bin at 0x1000\n") || !strings.Contains(out, "ready to be flashed with any ESP USB Bridge") {
			h.t.Fatal(out)
		}
		if n := len(h.get("m.uf2")); n%512 != 0 || n/512 != (len(fixBoot)+255)/256 {
			h.t.Fatalf("uf2 of %d bytes", n)
		}
	},
	"et-merge-sc": func(h *harness) {
		h.ok("esptool --chip esp32 merge_bin -sc SPI -o a.bin 0x1000 boot.bin")
		h.ok("esptool --chip esp32 merge_bin -o b.bin 0x1000 boot.bin")
		h.equal("a.bin", "b.bin")
		h.ok("esptool --chip esp32 merge_bin -sc SPI -o a.bin 0x1000 boot.bin")
		if !strings.Contains(h.err.String(), "-sc does not change merge_bin's output; ignored") {
			h.t.Fatal(h.err.String())
		}
	},
	"et-info": func(h *harness) {
		out := h.ok("esptool image_info app.bin")
		if !strings.HasPrefix(out, "esptool.py v4.8.1\nFile size: ") || strings.Contains(out, "image header") {
			h.t.Fatalf("not v1 output:\n%s", out)
		}
	},
	"et-info-v2": func(h *harness) {
		out := h.ok("esptool --chip esp32c3 image_info --version 2 app.bin")
		if !strings.Contains(out, "ESP32C3 image header") {
			h.t.Fatal(out)
		}
	},
	"et-info-hex": func(h *harness) {
		h.ok("esptool --chip esp32c3 merge_bin --format hex -o a.hex 0x10000 app.bin")
		a := h.ok("esptool image_info --version 2 a.hex")
		b := h.ok("esptool image_info --version 2 app.bin")
		if a != b {
			h.t.Fatalf("hex:\n%s\nbin:\n%s", a, b)
		}
	},
	"et-version": func(h *harness) {
		if out := h.ok("esptool version"); out != "esptool.py v4.8.1\n4.8.1\n" {
			h.t.Fatal(out)
		}
	},
	"gp-csv": func(h *harness) {
		h.ok("gen_esp32part.py parts.csv pt.bin")
		if h.err.String() != "Parsing CSV input...\nVerifying table...\n" {
			h.t.Fatal(h.err.String())
		}
		h.ok("gen_esp32part.py -q parts.csv pt2.bin")
		if h.err.Len() != 0 {
			h.t.Fatal(h.err.String())
		}
		h.equal("pt.bin", "pt2.bin")
		if len(h.get("pt.bin")) != parttable.TableSize {
			h.t.Fatal("size")
		}
	},
	"gp-bin": func(h *harness) {
		h.ok("gen_esp32part.py parts.csv pt.bin")
		h.ok("gen_esp32part.py pt.bin back.csv")
		if !strings.Contains(string(h.get("back.csv")), "factory,app,factory,0x10000,1M,") {
			h.t.Fatal(string(h.get("back.csv")))
		}
	},
	"gp-stdout": func(h *harness) {
		h.ok("gen_esp32part.py parts.csv pt.bin")
		if out := h.ok("gen_esp32part.py parts.csv"); out != string(h.get("pt.bin")) {
			h.t.Fatal("stdout is not the table")
		}
		if out := h.ok("gen_esp32part.py parts.csv -"); out != string(h.get("pt.bin")) {
			h.t.Fatal("'-' is not stdout")
		}
	},
	"gp-offset0": func(h *harness) {
		h.put("p1.csv", []byte("nvs,data,nvs,,0x4000,\n"))
		h.ok("gen_esp32part.py -o 0 p1.csv c.bin")
		h.ok("gen_esp32part.py p1.csv d.bin")
		c, _ := parttable.Decode(h.get("c.bin"))
		d, _ := parttable.Decode(h.get("d.bin"))
		if c.Entries[0].Offset != 0x1000 || d.Entries[0].Offset != 0x9000 {
			h.t.Fatalf("--offset 0 placed nvs at %#x (default %#x)", c.Entries[0].Offset, d.Entries[0].Offset)
		}
	},
	"gp-opts": func(h *harness) {
		h.fails("gen_esp32part.py --flash-size 1MB parts.csv a.bin", 2, "does not fit in configured flash size 1MB")
		h.ok("gen_esp32part.py --disable-md5sum --secure --flash-size 4MB parts.csv a.bin")
		h.ok("gen_esp32part.py --secure v2 parts.csv b.bin")
		if bytes.Equal(h.get("a.bin"), h.get("b.bin")) {
			h.t.Fatal("--disable-md5sum had no effect")
		}
		h.put("bl.csv", []byte("bootloader,bootloader,primary,0x1000,0x7000,\nfactory,app,factory,0x10000,1M,\n"))
		h.ok("gen_esp32part.py --primary-bootloader-offset 0x1000 bl.csv c.bin")
	},
	"gp-noverify": func(h *harness) {
		h.ok("gen_esp32part.py --disable-md5sum parts.csv pt.bin")
		b := h.get("pt.bin")
		b[2*32+4+1] = 0x80 // factory at 0x18000: misaligned
		h.put("bad.bin", b)
		h.fails("gen_esp32part.py bad.bin a.csv", 2, "Partition factory invalid: Offset 0x18000 is not aligned to 0x10000")
		h.ok("gen_esp32part.py --no-verify bad.bin a.csv")
		h.put("bad.csv", h.get("a.csv"))
		h.fails("gen_esp32part.py --no-verify bad.csv a.bin", 2, "Partition factory invalid")
		h.ok("gen_esp32part.py -v parts.csv b.bin")
	},
	"gp-extra": func(h *harness) {
		h.put("x.csv", []byte("mine,data,my_data,0x9000,0x1000,\n"))
		h.ok("gen_esp32part.py --extra-partition-subtypes data,my_data,0x40 x.csv a.bin")
		a, _ := parttable.Decode(h.get("a.bin"))
		if a.Entries[0].Subtype != 0x40 {
			h.t.Fatal("subtype")
		}
	},
	"gp-warn": func(h *harness) {
		h.put("w.csv", []byte("otadata,data,ota,0xd000,0x2000,\nota_1,app,ota_0,0x10000,1M,\nota_0,app,ota_1,,1M,\n"))
		h.ok("gen_esp32part.py w.csv a.bin")
		want := "WARNING: Partition has name 'ota_1' which is a partition subtype, but this partition has non-matching type 0x0 and subtype 0x10. Mistake in partition table?"
		if !strings.Contains(h.err.String(), want) {
			h.t.Fatal(h.err.String())
		}
	},
	"gp-errors": func(h *harness) {
		h.put("e.csv", []byte("factory,app,factory,0x10000,1M,secure\n"))
		h.fails("gen_esp32part.py e.csv a.bin", 2, "Parsing CSV input...\nError at line 1: CSV flag column contains unknown flag 'secure'\nPlease check extra_partition_subtypes.inc file in build/config directory\n")
		if strings.Contains(h.err.String(), "e.csv:") {
			h.t.Fatal("FILE:LINE prefix")
		}
	},
	"gp-env": func(h *harness) {
		h.env.Getenv = func(k string) (string, bool) {
			if k == "APPSIZE" {
				return "1M", true
			}
			return "", false
		}
		h.put("v.csv", []byte("factory,app,factory,0x10000,$APPSIZE,\n"))
		h.ok("gen_esp32part.py v.csv a.bin")
	},
	"nv-generate": func(h *harness) {
		out := h.ok("nvs_partition_gen generate nvs.csv n.bin 0x3000")
		if out != "\nCreating NVS binary with version: V2 - Multipage Blob Support Enabled\n\nCreated NVS binary: ===> /w/proj/n.bin\n" {
			h.t.Fatalf("%q", out)
		}
	},
	"nv-version": func(h *harness) {
		out := h.ok("nvs_partition_gen generate --version 1 nvs.csv n.bin 0x3000")
		if !strings.Contains(out, "V1 - Multipage Blob Support Disabled") {
			h.t.Fatal(out)
		}
	},
	"nv-outdir": func(h *harness) {
		out := h.ok("nvs_partition_gen generate --outdir /w/out nvs.csv n.bin 0x3000")
		if !strings.Contains(out, "===> /w/out/n.bin") {
			h.t.Fatal(out)
		}
		if _, err := h.fs.Stat("/w/out/n.bin"); err != nil {
			h.t.Fatal(err)
		}
	},
	"nv-file-cwd": func(h *harness) {
		h.ok("nvs_partition_gen generate nvs.csv n.bin 0x3000")
		h.put("/w/proj/sub/nvs.csv", h.get("nvs.csv"))
		// The CSV is in sub/, but ../shared/cert.pem is read from the working directory.
		h.ok("nvs_partition_gen generate sub/nvs.csv m.bin 0x3000")
		h.equal("n.bin", "m.bin")
		h.put("abs.csv", []byte("key,type,encoding,value\nns,namespace,,\ncert,file,string,/w/shared/cert.pem\n"))
		h.ok("nvs_partition_gen generate abs.csv a.bin 0x3000")
	},
	"nv-encrypt": func(h *harness) {
		h.ok("nvs_partition_gen generate-key --keyfile k.bin")
		h.ok("nvs_partition_gen encrypt nvs.csv e1.bin 0x3000 --inputkey keys/k.bin")
		h.ok("nvs_partition_gen encrypt nvs.csv e2.bin 0x3000 --inputkey keys/k.bin")
		h.equal("e1.bin", "e2.bin")
		h.ok("nvs_partition_gen decrypt e1.bin keys/k.bin p.bin")
		h.ok("nvs_partition_gen generate nvs.csv plain.bin 0x3000")
		h.equal("p.bin", "plain.bin")
	},
	"nv-keygen": func(h *harness) {
		out := h.ok("nvs_partition_gen encrypt nvs.csv e.bin 0x3000 --keygen --keyfile mykeys.bin")
		if !strings.Contains(out, "Created encryption keys: ===>  /w/proj/keys/mykeys.bin") || h.modes["/w/proj/keys/mykeys.bin"] != 0o600 {
			h.t.Fatal(out)
		}
		h.ok("nvs_partition_gen generate-key")
		if !h.exists("keys/keys-espcompose.bin") {
			h.t.Fatal("default key file name")
		}
	},
	"nv-hmac": func(h *harness) {
		h.put("hmac.bin", bytes.Repeat([]byte{9}, 32))
		h.ok("nvs_partition_gen generate-key --key_protect_hmac --kp_hmac_inputkey hmac.bin --keyfile a.bin")
		h.ok("nvs_partition_gen generate-key --key_protect_hmac --kp_hmac_inputkey hmac.bin --keyfile b.bin")
		h.equal("keys/a.bin", "keys/b.bin")
	},
	"nv-hmac-gen": func(h *harness) {
		h.ok("nvs_partition_gen generate-key --key_protect_hmac --kp_hmac_keygen --keyfile a.bin")
		if len(h.get("keys/hmac-a.bin")) != 32 || h.modes["/w/proj/keys/hmac-a.bin"] != 0o600 {
			h.t.Fatal("hmac key file")
		}
	},
	"nv-decrypt": func(h *harness) {
		h.ok("nvs_partition_gen encrypt nvs.csv e.bin 0x3000 --keygen --keyfile k.bin")
		out := h.ok("nvs_partition_gen decrypt e.bin keys/k.bin p.bin")
		if !strings.Contains(out, "Created NVS decrypted binary: ===> /w/proj/p.bin") {
			h.t.Fatal(out)
		}
	},
	"nv-errors": func(h *harness) {
		h.put("long.csv", []byte("key,type,encoding,value\nns,namespace,,\nthis_key_is_too_long,data,u8,1\n"))
		h.fails("nvs_partition_gen generate long.csv n.bin 0x3000", 254, "\nError:\nLength of key `this_key_is_too_long` should be <= 15 characters.\n\nWarning: NVS binary not created...\n")
		if h.exists("n.bin") {
			h.t.Fatal("output written")
		}
		h.put("range.csv", []byte("key,type,encoding,value\nns,namespace,,\nc,data,u8,300\n"))
		h.fails("nvs_partition_gen generate range.csv n.bin 0x3000", 1, "300 out of range for u8")
	},
	"nv-nonamespace": func(h *harness) {
		h.put("nn.csv", []byte("key,type,encoding,value\nn,data,u8,1\n"))
		h.fails("nvs_partition_gen generate nn.csv n.bin 0x3000", 1, "comes before any namespace row")
	},
	"nv-unknowntype": func(h *harness) {
		h.put("ut.csv", []byte("key,type,encoding,value\nns,namespace,,\nc,fiel,string,cert.pem\n"))
		h.fails("nvs_partition_gen generate ut.csv n.bin 0x3000", 1, `type "fiel"`)
	},
	"fs-spiffs": func(h *harness) {
		h.put("fs/a.txt", []byte("hello"))
		h.put("fs/sub/b.bin", bytes.Repeat([]byte{1}, 3000))
		h.ok("spiffsgen.py 0x10000 fs s1.bin --page-size 256 --block-size 4096 --obj-name-len 32 --meta-len 4 --use-magic --use-magic-len")
		h.ok("spiffsgen.py 0x10000 fs s2.bin")
		h.equal("s1.bin", "s2.bin") // those are the defaults
		h.ok("spiffsgen.py 0x10000 fs s3.bin --no-magic --no-magic-len --big-endian")
		if bytes.Equal(h.get("s1.bin"), h.get("s3.bin")) || len(h.get("s1.bin")) != 0x10000 {
			h.t.Fatal("options had no effect")
		}
	},
	"fs-spiffs-symlinks": func(h *harness) {
		h.put("fs/a.txt", []byte("hello"))
		h.ok("spiffsgen.py --follow-symlinks 0x10000 fs s.bin")
	},
	"fs-fat": func(h *harness) {
		h.put("fs/a.txt", []byte("hello"))
		h.put("fs/Long File Name.txt", []byte("x"))
		h.ok("fatfsgen.py fs --output_file f.img --partition_size 0x40000 --long_name_support")
		h.ok("fatfsgen.py fs --output_file d.img --partition_size detect --long_name_support")
		// detect: the size fatfsgen computes for the folder (checked against the
		// reference by the fat_detect_size vector).
		if len(h.get("f.img")) != 0x40000 || len(h.get("d.img"))%4096 != 0 {
			h.t.Fatalf("sizes %#x %#x", len(h.get("f.img")), len(h.get("d.img")))
		}
		h.ok("fatfsgen.py fs --partition_size 0x40000 --long_name_support")
		if !h.exists("fatfs_image.img") {
			h.t.Fatal("default output name")
		}
	},
	"fs-fat-random": func(h *harness) {
		h.put("fs/a.txt", []byte("hello"))
		h.ok("fatfsgen.py fs --output_file a.img --partition_size 0x40000")
		h.ok("fatfsgen.py fs --output_file b.img --partition_size 0x40000")
		h.equal("a.img", "b.img")
		h.ok("fatfsgen.py fs --output_file c.img --partition_size 0x40000 --volume_id 0x12345678")
		if b := h.get("c.img"); b[39] != 0x78 || b[42] != 0x12 {
			h.t.Fatalf("volume serial % x", b[39:43])
		}
	},
	"fs-fat-spc": func(h *harness) {
		h.put("fs/a.txt", []byte("hello"))
		h.fails("fatfsgen.py fs --output_file a.img --sectors_per_cluster 2", 2, "one sector per cluster")
	},
	"fs-wl": func(h *harness) {
		h.put("fs/a.txt", []byte("hello"))
		h.ok("wl_fatfsgen.py fs --output_file w.img --partition_size 0x80000 --sector_size 512 --wl_mode perf --device_id 0x1")
		h.ok("wl_fatfsgen.py fs --output_file v.img --partition_size 0x80000 --sector_size 512 --wl_mode safe --device_id 0x1")
		if bytes.Equal(h.get("w.img"), h.get("v.img")) || len(h.get("w.img")) != 0x80000 {
			h.t.Fatal("--wl_mode had no effect")
		}
	},
	"fs-errors": func(h *harness) {
		h.put("fs/big.bin", bytes.Repeat([]byte{1}, 70000))
		h.fails("spiffsgen.py 0x10000 fs s.bin", 1, "ERROR: the image size has been exceeded")
		h.fails("fatfsgen.py fs --output_file f.img --partition_size 0x10000", 1, "fatfs_utils.exceptions.NoFreeClusterException: No free cluster available!")
		if h.exists("s.bin") || h.exists("f.img") {
			h.t.Fatal("output written")
		}
	},
	"mg-generate": func(h *harness) {
		h.put("conf.csv", []byte("ns,namespace,\nserial,data,string\nn,data,u8\n"))
		h.put("vals.csv", []byte("serial,n\nA1,1\nA2,2\n"))
		out := h.ok("mfg_gen.py generate conf.csv vals.csv p 0x3000")
		if !strings.Contains(out, "Created CSV file: ===> /w/proj/csv/p-1.csv") || !strings.Contains(out, "Files generated in /w/proj ...") {
			h.t.Fatal(out)
		}
		if string(h.get("csv/p-2.csv")) != "key,type,encoding,value\r\nns,namespace,,\r\nserial,data,string,A2\r\nn,data,u8,2\r\n" {
			h.t.Fatalf("%q", h.get("csv/p-2.csv"))
		}
		h.ok("nvs_partition_gen generate csv/p-2.csv one.bin 0x3000")
		h.equal("bin/p-2.bin", "one.bin")
		if h.exists("conf_tmp.csv") || h.exists("vals_created.csv") {
			h.t.Fatal("temporary files left beside the inputs")
		}
	},
	"mg-options": func(h *harness) {
		h.put("conf.csv", []byte("ns,namespace,\nserial,data,string\nmodel,data,string,REPEAT\n"))
		h.put("vals.csv", []byte("serial,model\nA1,M\nA2,\n"))
		h.ok("mfg_gen.py generate conf.csv vals.csv p 0x3000 --fileid serial --prefix_num 5 3 --version 1 --outdir o")
		if string(h.get("o/csv/p-006-A2.csv")) != "key,type,encoding,value\r\nns,namespace,,\r\nserial,data,string,A2\r\nmodel,data,string,M\r\n" {
			h.t.Fatalf("%q", h.get("o/csv/p-006-A2.csv"))
		}
		h.ok("mfg_gen.py generate conf.csv vals.csv q 0x3000 --keygen --outdir e")
		if !h.exists("e/keys/keys-q-1.bin") || !h.exists("e/bin/q-2.bin") {
			h.t.Fatal("encrypted outputs")
		}
		h.ok("nvs_partition_gen decrypt e/bin/q-1.bin e/keys/keys-q-1.bin d.bin")
	},
	"mg-errors": func(h *harness) {
		h.put("conf.csv", []byte("ns,namespace,\nserial,data,strng\n"))
		h.put("vals.csv", []byte("serial\nA1\n"))
		h.fails("mfg_gen.py generate conf.csv vals.csv p 0x3000", 1, "Error: config file: conf.csv has invalid encoding at line no:2")
		h.put("conf.csv", []byte("ns,namespace,\nserial,data,string\nother,data,u8\n"))
		h.fails("mfg_gen.py generate conf.csv vals.csv p 0x3000", 1, "Key:` other ` at line no: 3  in config file is not found in values file.")
	},
}

// TestCompatRows runs the check of every row of docs/compat.md, and fails for a row
// without one (or a check without a row).
func TestCompatRows(t *testing.T) {
	doc, err := os.ReadFile("../../docs/compat.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`(?m)^\| ([a-z0-9-]+) \|`).FindAllStringSubmatch(string(doc), -1)
	seen := map[string]bool{}
	for _, r := range rows {
		id := r[1]
		if id == "id" {
			continue
		}
		seen[id] = true
		check, ok := compatRows[id]
		if !ok {
			t.Errorf("docs/compat.md row %s has no test", id)
			continue
		}
		t.Run(id, func(t *testing.T) { check(newHarness(t)) })
	}
	for id := range compatRows {
		if !seen[id] {
			t.Errorf("test %s has no row in docs/compat.md", id)
		}
	}
}

// TestMfgGenMatchesReference runs mfg_gen on inputs the reference was run on
// (testdata/mfg_gen) and compares every CSV and NVS image it wrote, and its stdout.
func TestMfgGenMatchesReference(t *testing.T) {
	h := newHarness(t)
	for _, f := range []string{"config.csv", "values.csv", "cert.der"} {
		b, err := os.ReadFile(filepath.Join("testdata/mfg_gen", f))
		if err != nil {
			t.Fatal(err)
		}
		h.put(f, b)
	}
	out := h.ok("mfg_gen.py generate config.csv values.csv dev 0x3000 --fileid id --outdir out")
	want, _ := os.ReadFile("testdata/mfg_gen/stdout.txt")
	if out != string(want) {
		t.Errorf("stdout differs:\n--- reference\n%s--- drop-in\n%s", want, out)
	}
	for _, f := range []string{"csv/dev-d1.csv", "csv/dev-d2.csv", "csv/dev-d3.csv", "bin/dev-d1.bin", "bin/dev-d2.bin", "bin/dev-d3.bin"} {
		ref, err := os.ReadFile(filepath.Join("testdata/mfg_gen/expected", f))
		if err != nil {
			t.Fatal(err)
		}
		if got := h.get("out/" + f); !bytes.Equal(got, ref) {
			t.Errorf("%s differs from the reference's", f)
		}
	}
	// Never over an earlier run's files: the reference's check, kept.
	h.fails("mfg_gen.py generate config.csv values.csv dev 0x3000 --fileid id --outdir out", 1, "already exists")
}
