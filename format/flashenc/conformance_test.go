package flashenc

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// espsecureArgs is what an encrypt_flash_data / decrypt_flash_data argv says.
type espsecureArgs struct {
	op      string
	keyfile string
	addr    uint64
	conf    *uint8
	aesXTS  bool
	input   string
}

// parseEspsecure reads the argv the way espsecure's argparse does (numbers via
// int(x, 0)); unknown flags fail the test so that new vectors are noticed.
func parseEspsecure(t *testing.T, argv []string) espsecureArgs {
	t.Helper()
	var a espsecureArgs
	i := 0
	for i < len(argv) && argv[i] != "encrypt_flash_data" && argv[i] != "decrypt_flash_data" {
		i++
	}
	if i == len(argv) {
		t.Fatalf("no espsecure operation in %q", argv)
	}
	a.op = argv[i]
	num := func(s string) uint64 {
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			t.Fatalf("bad number %q in %q", s, argv)
		}
		return v
	}
	for i++; i < len(argv); i++ {
		switch argv[i] {
		case "--aes_xts", "-x":
			a.aesXTS = true
		case "--keyfile", "-k":
			i++
			a.keyfile = argv[i]
		case "--address", "-a":
			i++
			a.addr = num(argv[i])
		case "--flash_crypt_conf":
			i++
			v := num(argv[i])
			if v > 0xFF {
				t.Fatalf("flash_crypt_conf %q out of range", argv[i])
			}
			a.conf = Conf(uint8(v))
		case "--output", "-o":
			i++
		default:
			if strings.HasPrefix(argv[i], "-") {
				t.Fatalf("unhandled espsecure flag %q", argv[i])
			}
			a.input = argv[i]
		}
	}
	return a
}

// run performs what args asks for through the package-level API.
func (a espsecureArgs) run(key, in []byte) ([]byte, error) {
	s, err := SchemeForKey(a.aesXTS, len(key))
	if err != nil {
		return nil, err
	}
	if a.addr > 0xFFFFFFFF {
		return nil, ErrAddress
	}
	out := make([]byte, len(in))
	opts := Options{Scheme: s, FlashCryptConf: a.conf}
	if a.op == "decrypt_flash_data" {
		err = Decrypt(out, in, key, uint32(a.addr), opts)
	} else {
		err = Encrypt(out, in, key, uint32(a.addr), opts)
	}
	return out, err
}

func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "flashenc") {
		t.Run(c.Name, func(t *testing.T) {
			var extra struct {
				DecryptCommand []string `json:"decrypt_command"`
			}
			c.Decode(t, &extra)
			enc := parseEspsecure(t, c.Command)
			key := c.File(t, enc.keyfile)
			plain := c.File(t, enc.input)

			got, err := enc.run(key, plain)
			if c.ExpectedError {
				if err == nil {
					t.Fatalf("expected an error (reference: %q), got none", c.ErrorContains)
				}
				if !strings.Contains(err.Error(), c.ErrorContains) {
					t.Errorf("error %q does not contain the reference's %q", err, c.ErrorContains)
				}
				return
			}
			if c.Expected == nil {
				t.Fatal("case has neither expected output nor expected error")
			}
			want := c.File(t, *c.Expected)
			if !enc.aesXTS && len(plain)%16 != 0 {
				// espsecure pads the last ESP32 block with random bytes; we refuse
				// instead. Check the refusal and that the reference output decrypts
				// back to the plaintext.
				if !errors.Is(err, ErrLength) {
					t.Fatalf("unpadded ESP32 input: got %v, want ErrLength", err)
				}
				dec := parseEspsecure(t, extra.DecryptCommand)
				back, err := dec.run(key, want)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(back[:len(plain)], plain) {
					t.Fatal("decrypting the reference output does not give the plaintext")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("output differs from reference at byte 0x%x (len %d, want %d)", i, len(got), len(want))
			}
			if extra.DecryptCommand == nil {
				return
			}
			dec := parseEspsecure(t, extra.DecryptCommand)
			back, err := dec.run(c.File(t, dec.keyfile), c.File(t, dec.input))
			if err != nil {
				t.Fatalf("decrypt: %v", err)
			}
			if i := firstDiff(back, plain); i >= 0 {
				t.Fatalf("decrypted reference differs from plaintext at byte 0x%x", i)
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
