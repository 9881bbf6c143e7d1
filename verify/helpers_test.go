package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/flashenc"
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/internal/testfs"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/outputs"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// example copies an example into memory; edit, when set, rewrites its manifest
// (e.g. to turn on uf2 or fill_flash).
func example(tb testing.TB, name string, edit func(string) string) (afero.Fs, string) {
	tb.Helper()
	root := path.Join("/ex", name)
	fs := testfs.ToMem(tb, filepath.Join("..", "examples", name), root)
	file := path.Join(root, "espcompose.hcl")
	if edit != nil {
		src, err := afero.ReadFile(fs, file)
		if err != nil {
			tb.Fatal(err)
		}
		if err := afero.WriteFile(fs, file, []byte(edit(string(src))), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return fs, file
}

// build runs the build pipeline in memory, as `espcompose build` does up to the point
// where it would verify and publish, with local signers for every signing key file.
func build(tb testing.TB, fs afero.Fs, file string) Input {
	tb.Helper()
	f, diags := manifest.Parse(fs, file)
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	// A per-device manifest is built for its first device.
	rows, diags := manifest.DeviceRows(fs, f)
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	var row map[string]string
	if len(rows) > 0 {
		row = rows[0]
	}
	cfg, diags := manifest.Evaluate(f, manifest.Options{FS: fs, Device: row})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	plan, diags := planner.New(cfg, planner.Options{FS: fs})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	keys := &stages.FileKeys{FS: fs, Rand: rand.Reader, Specs: map[string]stages.KeySpec{},
		Generate: stages.GenerateKey, Validate: stages.ValidateKey}
	set := signers.Set{}
	for _, k := range cfg.Keys {
		if k.Derive != nil {
			keys.Specs[k.Name] = stages.KeySpec{Name: k.Name, Algorithm: k.Algorithm, Derive: k.Derive.Name, DeviceID: cfg.DeviceID}
			continue
		}
		if k.File == "" {
			continue
		}
		keys.Specs[k.Name] = stages.KeySpec{Name: k.Name, Algorithm: k.Algorithm, Path: k.File, Rel: k.Name, Create: k.Create}
		switch k.Algorithm {
		case "rsa-3072", "ecdsa-p192", "ecdsa-p256", "ecdsa-p384":
			pem, err := keys.Secret(k.Name)
			if err != nil {
				tb.Fatal(err)
			}
			s, err := signers.NewLocalPEM(k.Name, pem, nil)
			if err != nil {
				tb.Fatal(err)
			}
			set[k.Name] = s
		}
	}
	env := &stages.Env{FS: fs, Keys: keys, Signers: set, Rand: rand.Reader}
	res, err := (&stages.Runner{Env: env}).Run(context.Background(), plan.Graph)
	if err != nil {
		tb.Fatal(err)
	}
	bundle, err := plan.Bundle(res, planner.BundleOptions{ToolVersion: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	files, err := outputs.Files(bundle)
	if err != nil {
		tb.Fatal(err)
	}
	return Input{Plan: plan, Result: res, Files: files, Keys: keys, Signers: set}
}

// file returns a copy of an output file's bytes.
func file(tb testing.TB, in *Input, name string) []byte {
	tb.Helper()
	for _, f := range in.Files {
		if f.Name == name {
			return bytes.Clone(f.Data)
		}
	}
	tb.Fatalf("no output %s", name)
	return nil
}

// setFile replaces an output file; the slice is copied so that the build's artifacts,
// which the files share memory with, stay as built.
func setFile(tb testing.TB, in *Input, name string, data []byte) {
	tb.Helper()
	files := append([]outputs.File(nil), in.Files...)
	for i := range files {
		if files[i].Name == name {
			files[i].Data = data
			in.Files = files
			return
		}
	}
	tb.Fatalf("no output %s", name)
}

// region returns the plan's region of a name.
func region(tb testing.TB, in *Input, name string) *planner.Region {
	tb.Helper()
	for _, r := range in.Plan.Regions {
		if r.Name == name {
			return r
		}
	}
	tb.Fatalf("no region %s", name)
	return nil
}

// cipher is the example's flash encryption, for tests that tamper with plaintext
// and write it back encrypted, so that only the check under test can notice.
func cipher(tb testing.TB, in *Input) *flashenc.Cipher {
	tb.Helper()
	fe := in.Plan.Config.Security.FlashEncryption
	key, err := in.Keys.Secret(fe.Key.Name)
	if err != nil {
		tb.Fatal(err)
	}
	scheme, err := flashenc.SchemeFor(in.Plan.Chip.Name, len(key))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := flashenc.NewCipher(key, flashenc.Options{Scheme: scheme, FlashCryptConf: flashenc.Conf(fe.CryptConfig)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// editEncrypted decrypts an encrypted output written at off, lets edit change the
// plaintext, and encrypts it back.
func editEncrypted(tb testing.TB, in *Input, name string, off uint32, edit func([]byte) []byte) {
	tb.Helper()
	c := cipher(tb, in)
	data := file(tb, in, name)
	plain := make([]byte, len(data))
	if err := c.DecryptAt(plain, data, off); err != nil {
		tb.Fatal(err)
	}
	plain = edit(plain)
	out := make([]byte, len(plain))
	if err := c.EncryptAt(out, plain, off); err != nil {
		tb.Fatal(err)
	}
	setFile(tb, in, name, out)
}

// failures runs Build and returns its failure messages, one a line, as the error
// prints them.
func failures(tb testing.TB, in Input) string {
	tb.Helper()
	rep, err := Build(context.Background(), in)
	if err == nil {
		tb.Fatal("verify passed; want a failure")
	}
	if rep == nil || len(rep.Failures()) == 0 {
		tb.Fatalf("error without failed checks: %v", err)
	}
	var lines []string
	for _, f := range rep.Failures() {
		lines = append(lines, f.Subject+": "+f.Detail)
	}
	return strings.Join(lines, "\n")
}

// fixedKeys hands out one substitute secret and defers to the build's store for the
// rest.
type fixedKeys struct {
	stages.KeyStore
	name string
	data []byte
}

func (k fixedKeys) Secret(name string) ([]byte, error) {
	if name == k.name {
		return k.data, nil
	}
	return k.KeyStore.Secret(name)
}
