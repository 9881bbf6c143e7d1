package main

import (
	"bytes"
	"io"
	mathrand "math/rand/v2"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/internal/conformance"
)

// runWithRand runs the CLI like runCLI, with rnd as the app's randomness source.
func runWithRand(t testing.TB, fs afero.Fs, rnd io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		fs: fs, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv: func(string) string { return "" }, environ: func() []string { return nil },
		rand: rnd,
	}
	code := a.run(args)
	return code, out.String(), errb.String()
}

// caseFS copies every file of a conformance case (checked against its sha256) into a
// fresh in-memory filesystem under dir "case".
func caseFS(t testing.TB, c conformance.Case) afero.Fs {
	t.Helper()
	fs := afero.NewMemMapFs()
	names := make([]string, 0, len(c.SHA256))
	for name := range c.SHA256 {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := path.Join("case", name)
		if err := fs.MkdirAll(path.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fs, p, c.File(t, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fs
}

func readMem(t testing.TB, fs afero.Fs, name string) []byte {
	t.Helper()
	b, err := afero.ReadFile(fs, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

func memExists(fs afero.Fs, name string) bool {
	_, err := fs.Stat(name)
	return err == nil
}

// nvsToolArgs is an nvs_partition_gen argv translated to espcompose arguments.
type nvsToolArgs struct {
	mode    string
	args    []string // espcompose argv
	out     string   // image output ("" for generate-key)
	keysOut string   // key partition output, if any
	random  bool     // keys come from the random source: no byte vector
}

func translateNVS(t *testing.T, argv []string) nvsToolArgs {
	t.Helper()
	i := 0
	for i < len(argv) && !strings.Contains(argv[i], "nvs_partition_gen") {
		i++
	}
	if i+1 >= len(argv) {
		t.Fatalf("not an nvs_partition_gen command: %q", argv)
	}
	argv = argv[i+1:]
	r := nvsToolArgs{mode: argv[0]}
	var pos, flags []string
	var keygen, hmac bool
	var hmacKey, keyFile string
	for j := 1; j < len(argv); j++ {
		switch argv[j] {
		case "--version":
			j++
			flags = append(flags, "--version", argv[j])
		case "--inputkey":
			j++
			flags = append(flags, "--keyfile", "case/"+argv[j])
		case "--keygen":
			keygen = true
		case "--key_protect_hmac":
			hmac = true
		case "--kp_hmac_inputkey":
			j++
			hmacKey = argv[j]
		case "--keyfile":
			j++
			keyFile = argv[j]
		case "--outdir":
			j++
		default:
			if strings.HasPrefix(argv[j], "--") {
				t.Fatalf("unsupported nvs_partition_gen flag %s", argv[j])
			}
			pos = append(pos, argv[j])
		}
	}
	if hmac && hmacKey != "" {
		flags = append(flags, "--hmac-key", "case/"+hmacKey)
	} else if keygen || r.mode == "generate-key" {
		r.random = true
	}
	if keygen || r.mode == "generate-key" {
		if keyFile == "" {
			keyFile = "nvs_keys.bin"
		}
		r.keysOut = "out/keys/" + path.Base(keyFile)
	}
	switch r.mode {
	case "generate-key":
		r.args = append([]string{"nvs", "keygen", r.keysOut}, flags...)
		return r
	case "generate", "encrypt":
		if len(pos) < 3 {
			t.Fatalf("bad argv %q", argv)
		}
		r.out = "out/image.bin"
		r.args = []string{"nvs", "encode"}
		for _, in := range pos[:len(pos)-2] {
			r.args = append(r.args, "case/"+in)
		}
		r.args = append(r.args, r.out, "--size", pos[len(pos)-1])
		r.args = append(r.args, flags...)
		if keygen {
			r.args = append(r.args, "--keys-out", r.keysOut)
		}
		return r
	}
	t.Fatalf("unsupported nvs_partition_gen mode %q", r.mode)
	return r
}

func TestNVSConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "nvs") {
		t.Run(c.Name, func(t *testing.T) {
			fs := caseFS(t, c)
			ta := translateNVS(t, c.Command)
			code, stdout, stderr := runWithRand(t, fs, mathrand.NewChaCha8([32]byte{7}), ta.args...)
			if c.ExpectedError {
				if code == 0 {
					t.Fatalf("%q succeeded, want an error containing %q", ta.args, c.ErrorContains)
				}
				if !strings.Contains(stderr, c.ErrorContains) {
					t.Errorf("stderr %q does not contain %q", stderr, c.ErrorContains)
				}
				if (ta.out != "" && memExists(fs, ta.out)) || (ta.keysOut != "" && memExists(fs, ta.keysOut)) {
					t.Errorf("failed command left output behind")
				}
				return
			}
			if code != 0 {
				t.Fatalf("%q: exit %d: %s", ta.args, code, stderr)
			}
			if stdout != "" {
				t.Errorf("unexpected stdout %q", stdout)
			}
			var keyArgs []string
			if ta.keysOut != "" {
				keys := readMem(t, fs, ta.keysOut)
				if _, err := nvs.ParseKeyPartition(keys); err != nil {
					t.Fatalf("key partition: %v", err)
				}
				if st, err := fs.Stat(ta.keysOut); err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
				}
				if c.ExpectedKeys != "" && !ta.random {
					if !bytes.Equal(keys, c.File(t, c.ExpectedKeys)) {
						t.Errorf("key partition differs from %s", c.ExpectedKeys)
					}
				}
				keyArgs = []string{"--keyfile", ta.keysOut}
			}
			for i, a := range ta.args {
				if a == "--keyfile" {
					keyArgs = []string{"--keyfile", ta.args[i+1]}
				}
			}
			if ta.out == "" {
				if !ta.random && c.Expected != nil && !bytes.Equal(readMem(t, fs, ta.keysOut), c.File(t, *c.Expected)) {
					t.Errorf("key partition differs from %s", *c.Expected)
				}
				return
			}
			img := readMem(t, fs, ta.out)
			if !ta.random {
				if want := c.File(t, *c.Expected); !bytes.Equal(img, want) {
					t.Fatalf("image differs from %s: %d vs %d bytes", *c.Expected, len(img), len(want))
				}
			}
			// The image reads back through nvs decode, with its keys when encrypted.
			args := append([]string{"nvs", "decode", ta.out, "--json"}, keyArgs...)
			if code, _, stderr := runWithRand(t, fs, nil, args...); code != 0 {
				t.Errorf("%q: exit %d: %s", args, code, stderr)
			}
		})
	}
}

const sampleCSV = `key,type,encoding,value
storage,namespace,,
count,data,u32,42
neg,data,i8,-5
name,data,string,hello
blob,file,binary,files/blob.bin
`

func sampleFS(t *testing.T) afero.Fs {
	t.Helper()
	fs := afero.NewMemMapFs()
	if err := afero.WriteFile(fs, "in/input.csv", []byte(sampleCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := afero.WriteFile(fs, "in/files/blob.bin", bytes.Repeat([]byte{0xAB}, 40), 0o644); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestNVSEncodeDecode(t *testing.T) {
	fs := sampleFS(t)
	code, _, stderr := runCLI(t, fs, nil, "nvs", "encode", "in/input.csv", "out.bin", "--size", "12K")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if n := len(readMem(t, fs, "out.bin")); n != 0x3000 {
		t.Fatalf("image is %d bytes, want 0x3000", n)
	}
	code, stdout, stderr := runCLI(t, fs, nil, "nvs", "decode", "out.bin")
	if code != 0 {
		t.Fatalf("decode: exit %d: %s", code, stderr)
	}
	want := "NVS version 2, 1 page(s) in use\n" +
		"namespace storage\n" +
		"  count           u32    42\n" +
		"  neg             i8     -5\n" +
		"  name            string \"hello\"\n" +
		"  blob            blob   40 bytes: " + strings.Repeat("ab", 32) + "...\n"
	if stdout != want {
		t.Errorf("decode output:\n%s\nwant:\n%s", stdout, want)
	}
	code, stdout, _ = runCLI(t, fs, nil, "nvs", "decode", "out.bin", "--json")
	if code != 0 || !strings.Contains(stdout, `"value": 42`) || !strings.Contains(stdout, strings.Repeat("ab", 40)) {
		t.Errorf("json decode: exit %d\n%s", code, stdout)
	}
}

func TestNVSKeysOut(t *testing.T) {
	fs := sampleFS(t)
	code, stdout, stderr := runWithRand(t, fs, mathrand.NewChaCha8([32]byte{1}),
		"nvs", "encode", "in/input.csv", "out.bin", "--size", "0x3000", "--keys-out", "keys/nvs_keys.bin")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, stdout, stderr)
	}
	st, err := fs.Stat("keys/nvs_keys.bin")
	if err != nil || st.Mode().Perm() != 0o600 || st.Size() != nvs.KeyPartitionSize {
		t.Fatalf("key file: %v %v", st, err)
	}
	if code, _, stderr := runCLI(t, fs, nil, "nvs", "decode", "out.bin", "--keyfile", "keys/nvs_keys.bin"); code != 0 {
		t.Fatalf("decode with keys: %s", stderr)
	}
	// Without keys the encrypted items fail their CRC, at a named offset.
	code, _, stderr = runCLI(t, fs, nil, "nvs", "decode", "out.bin")
	want := "espcompose: out.bin: nvs: CRC mismatch: item at offset 0x40 (if the image is encrypted, pass --keyfile or --hmac-key)\n"
	if code != exitUsage || stderr != want {
		t.Errorf("decode without keys: exit %d, stderr %q, want %q", code, stderr, want)
	}
}

func TestNVSKeysOutRefusesExisting(t *testing.T) {
	fs := sampleFS(t)
	old := []byte("precious keys")
	if err := afero.WriteFile(fs, "nvs_keys.bin", old, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runWithRand(t, fs, mathrand.NewChaCha8([32]byte{1}),
		"nvs", "encode", "in/input.csv", "out.bin", "--size", "0x3000", "--keys-out", "nvs_keys.bin")
	want := "espcompose: --keys-out nvs_keys.bin: file exists; refusing to overwrite a key file\n"
	if code != exitUsage || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
	if got := readMem(t, fs, "nvs_keys.bin"); !bytes.Equal(got, old) {
		t.Errorf("existing key file changed")
	}
	if memExists(fs, "out.bin") {
		t.Errorf("image written although the command failed")
	}
	// keygen refuses the same way.
	code, _, stderr = runCLI(t, fs, nil, "nvs", "keygen", "nvs_keys.bin")
	want = "espcompose: nvs keygen nvs_keys.bin: file exists; refusing to overwrite a key file\n"
	if code != exitUsage || stderr != want || !bytes.Equal(readMem(t, fs, "nvs_keys.bin"), old) {
		t.Errorf("keygen: exit %d, stderr %q", code, stderr)
	}
}

func TestNVSBadInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		want  string
	}{
		{
			name:  "malformed row",
			files: map[string]string{"dir/bad.csv": "key,type,encoding,value\nns,namespace,,\nfoo,bogus,u8,1\n"},
			args:  []string{"nvs", "encode", "dir/bad.csv", "out.bin", "--size", "0x3000"},
			want:  "espcompose: dir/bad.csv:3: nvs: malformed CSV: type \"bogus\" (want namespace, data or file)\n",
		},
		{
			name:  "second CSV line",
			files: map[string]string{"a.csv": "key,type,encoding,value\nns,namespace,,\n", "b.csv": "key,type,encoding,value\nx,data,u8,256\n"},
			args:  []string{"nvs", "encode", "a.csv", "b.csv", "out.bin", "--size", "0x3000"},
			want:  "espcompose: b.csv:2: nvs: value out of range: key `x`: 256 out of range for u8 [0, 255]\n",
		},
		{
			name:  "missing referenced file",
			files: map[string]string{"d/in.csv": "key,type,encoding,value\nns,namespace,,\nb,file,binary,nothere.bin\n"},
			args:  []string{"nvs", "encode", "d/in.csv", "out.bin", "--size", "0x3000"},
			want:  "espcompose: d/in.csv:3: nvs: invalid value: key `b`: open nothere.bin: file does not exist\n",
		},
		{
			name:  "bad size",
			files: map[string]string{"in.csv": sampleCSV},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "12Q"},
			want:  "espcompose: --size: \"12Q\" is not a size: use bytes (4096), hex (0x1000) or a K/M suffix (64K, 4MB)\n",
		},
		{
			name:  "key file missing",
			files: map[string]string{"in.csv": "key,type,encoding,value\nns,namespace,,\n"},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "0x3000", "--keyfile", "nvs_keys.bin"},
			want:  "espcompose: read nvs_keys.bin: file does not exist\n",
		},
		{
			name:  "short key partition",
			files: map[string]string{"in.csv": "key,type,encoding,value\nns,namespace,,\n", "k.bin": strings.Repeat("k", 64)},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "0x3000", "--keyfile", "k.bin"},
			want:  "espcompose: --keyfile k.bin: nvs: wrong key length: nvs_keys partition is 64 bytes, want 4096\n",
		},
		{
			name:  "wrong hmac key length",
			files: map[string]string{"in.csv": "key,type,encoding,value\nns,namespace,,\n", "h.bin": strings.Repeat("h", 31)},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "0x3000", "--hmac-key", "h.bin"},
			want:  "espcompose: --hmac-key h.bin: nvs: wrong key length: HMAC key is 31 bytes, want 32\n",
		},
		{
			name:  "both key flags",
			files: map[string]string{"in.csv": sampleCSV},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "0x3000", "--keyfile", "a", "--hmac-key", "b"},
			want:  "espcompose: --keyfile and --hmac-key are mutually exclusive\n",
		},
		{
			name:  "keys to stdout",
			files: map[string]string{"in.csv": sampleCSV},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "0x3000", "--keys-out", "-"},
			want:  "espcompose: --keys-out: refusing to write key material to stdout\n",
		},
		{
			name:  "bad version",
			files: map[string]string{"in.csv": sampleCSV},
			args:  []string{"nvs", "encode", "in.csv", "out.bin", "--size", "0x3000", "--version", "3"},
			want:  "espcompose: --version must be 1 or 2, not 3\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := afero.NewMemMapFs()
			for name, data := range tt.files {
				if err := afero.WriteFile(fs, name, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := runCLI(t, fs, nil, tt.args...)
			if code != exitUsage || stderr != tt.want || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant stderr %q", code, stdout, stderr, tt.want)
			}
			if memExists(fs, "out.bin") {
				t.Errorf("out.bin written although the command failed")
			}
		})
	}
}

func TestNVSDecodeCRCOffset(t *testing.T) {
	fs := sampleFS(t)
	if code, _, stderr := runCLI(t, fs, nil, "nvs", "encode", "in/input.csv", "out.bin", "--size", "0x3000"); code != 0 {
		t.Fatal(stderr)
	}
	img := readMem(t, fs, "out.bin")
	img[0x40+0x20*2+24] ^= 0xFF // the data of the third item (count)
	if err := afero.WriteFile(fs, "bad.bin", img, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, fs, nil, "nvs", "decode", "bad.bin")
	want := "espcompose: bad.bin: nvs: CRC mismatch: item at offset 0x80 (if the image is encrypted, pass --keyfile or --hmac-key)\n"
	if code == 0 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q\nwant %q", code, stdout, stderr, want)
	}
}

// TestNVSOSFiles runs encode on the real filesystem, where file rows resolve against the
// CSV's own directory and not the working directory.
func TestNVSOSFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/in/files", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/in/input.csv", []byte(sampleCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/in/files/blob.bin", []byte("0123"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "nvs", "encode", dir+"/in/input.csv", dir+"/out/nvs.bin", "--size", "0x3000")
	if code != 0 {
		t.Fatal(stderr)
	}
}
