package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
)

// The `init --from-mfg` round trip: mfg_gen's config and values CSVs → manifest and
// devices.csv → build, and every device's NVS partition image compared byte for byte
// with what the mfg_gen drop-in writes for the same command line (the drop-in is
// itself compared with the reference in internal/dropin).

const mfgSamples = "../../../shared/conformance/nvs/idf_sample_multipage_blob_v2/testdata"

type mfgRun struct {
	t   *testing.T
	dir string
}

// newMfgRun copies the fixtures (and, for the ESP-IDF samples, the files their rows
// name) into a fresh folder.
func newMfgRun(t *testing.T, samples bool) *mfgRun {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, "testdata/mfg", dir)
	if samples {
		if _, err := os.Stat(mfgSamples); err != nil {
			t.Skipf("conformance vectors not found (%v)", err)
		}
		copyTree(t, mfgSamples, filepath.Join(dir, "testdata"))
	}
	// mfg_gen resolves its paths from the working directory, and so does the import.
	t.Chdir(dir)
	return &mfgRun{t, dir}
}

func (r *mfgRun) ok(args ...string) string {
	r.t.Helper()
	code, stdout, stderr := runCLI(r.t, afero.NewOsFs(), nil, args...)
	if code != 0 {
		r.t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

func (r *mfgRun) read(p string) []byte {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, p))
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// stems are the devices mfg_gen wrote to ref/bin, by file stem.
func (r *mfgRun) stems() []string {
	r.t.Helper()
	ents, err := os.ReadDir(filepath.Join(r.dir, "ref", "bin"))
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".bin"))
	}
	return out
}

// built checks that the build made exactly the devices mfg_gen made.
func (r *mfgRun) built(stems []string) {
	r.t.Helper()
	ents, err := os.ReadDir(filepath.Join(r.dir, "dist", "devices"))
	if err != nil {
		r.t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, stems) {
		r.t.Fatalf("devices built %v, mfg_gen wrote %v", got, stems)
	}
}

func (r *mfgRun) nvs(stem string) []byte {
	return r.read(filepath.Join("dist", "devices", stem, "partitions", "nvs.bin"))
}

func (r *mfgRun) same(stem string, got, want []byte) {
	r.t.Helper()
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		r.t.Errorf("%s: NVS image differs from mfg_gen's at byte 0x%x (%d vs %d bytes)", stem, i, len(got), len(want))
	}
}

// plain runs mfg_gen and init with the same options and compares every device.
func (r *mfgRun) plain(conf, values, prefix, size string, mfgOpts, initOpts []string) []string {
	r.t.Helper()
	r.ok(append([]string{"mfg_gen", "generate", conf, values, prefix, size, "--outdir", "ref"}, mfgOpts...)...)
	r.ok(append([]string{"init", "--from-mfg", conf, values, prefix, size}, initOpts...)...)
	r.ok("build", "-f", "espcompose.hcl", "-o", "dist")
	stems := r.stems()
	r.built(stems)
	for _, s := range stems {
		r.same(s, r.nvs(s), r.read(filepath.Join("ref", "bin", s+".bin")))
	}
	return stems
}

func TestInitFromMfgSamples(t *testing.T) {
	r := newMfgRun(t, true)
	stems := r.plain("sample_config.csv", "sample_values.csv", "sample", "0x5000",
		[]string{"--fileid", "id"}, []string{"--fileid", "id"})
	if !slices.Equal(stems, []string{"sample-1", "sample-2", "sample-3"}) {
		t.Fatalf("stems %v", stems)
	}
	// The manifest reads what varies from devices.csv and keeps the REPEAT row as
	// a constant; a second build is byte for byte the same and writes nothing.
	hcl := string(r.read("espcompose.hcl"))
	for _, want := range []string{`id  = "sample-${device.id}"`, `value = "-2147483648"`, `encoding = "hex2bin"`, `file     = device.binFileKey`} {
		if !strings.Contains(hcl, want) {
			t.Errorf("manifest lacks %q:\n%s", want, hcl)
		}
	}
	if csv := string(r.read("devices.csv")); strings.Contains(csv, "dummyI32Key") {
		t.Errorf("the REPEAT column is in devices.csv:\n%s", csv)
	}
	first := r.nvs("sample-2")
	if out := r.ok("build", "-f", "espcompose.hcl", "-o", "dist"); !strings.Contains(out, "Up to date") {
		t.Errorf("second build: %s", out)
	}
	r.same("sample-2 rebuilt", r.nvs("sample-2"), first)
	// Every device decodes to its own values, REPEAT filled from the first row.
	for i, stem := range []string{"sample-1", "sample-2", "sample-3"} {
		d, err := nvs.Decode(r.nvs(stem), nil)
		if err != nil {
			t.Fatal(err)
		}
		es := d.Partition.Namespaces[0].Entries
		if es[0].Key != "dummyU8Key" || es[0].Uint != uint64(127-i) || es[4].Int != -2147483648 {
			t.Errorf("%s decodes to %+v", stem, es[:5])
		}
	}
}

func TestInitFromMfgEdgeCases(t *testing.T) {
	r := newMfgRun(t, false)
	stems := r.plain("edge_config.csv", "edge_values.csv", "p", "0x4000",
		[]string{"--prefix_num", "5", "3", "--version", "1"}, []string{"--prefix_num", "5,3", "--nvs-version", "1"})
	if !slices.Equal(stems, []string{"p-005-1", "p-006-2", "p-007-3"}) {
		t.Fatalf("stems %v", stems)
	}
	csv := string(r.read("devices.csv"))
	// Values go into devices.csv as the manifest reads them to the same bytes.
	for _, want := range []string{"mfg_file,serial,", "p-006-2,SN-2,00ff,TWFu,x y,-128,0,42,files/b.txt,0,", ",1000,"} {
		if !strings.Contains(csv, want) {
			t.Errorf("devices.csv lacks %q:\n%s", want, csv)
		}
	}
	// The namespace named again: nvs_partition_gen keeps writing to "other".
	d, err := nvs.Decode(r.nvs("p-005-1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ns := d.Partition.Namespaces
	if len(ns) != 2 || ns[1].Name != "other" || ns[1].Entries[len(ns[1].Entries)-1].Key != "late" {
		t.Errorf("namespaces %+v", ns)
	}
}

// TestInitFromMfgKeygen: --keygen gives each device its own key, made by the build
// where mfg_gen puts it (keys/keys-STEM.bin); each image is nvs_partition_gen's
// encryption of mfg_gen's CSV for that device with that key.
func TestInitFromMfgKeygen(t *testing.T) {
	r := newMfgRun(t, false)
	r.ok("mfg_gen", "generate", "edge_config.csv", "edge_values.csv", "dev", "0x4000", "--outdir", "ref")
	r.ok("init", "--from-mfg", "edge_config.csv", "edge_values.csv", "dev", "0x4000", "--keygen")
	r.ok("build", "-f", "espcompose.hcl", "-o", "dist")
	stems := r.stems()
	r.built(stems)
	seen := map[string]bool{}
	for _, s := range stems {
		key := filepath.Join("keys", "keys-"+s+".bin")
		st, err := os.Stat(filepath.Join(r.dir, key))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", key, st, err)
		}
		k := string(r.read(key))
		if seen[k] {
			t.Errorf("%s is another device's key", key)
		}
		seen[k] = true
		out := filepath.Join("enc", s+".bin")
		r.ok("nvs_partition_gen", "encrypt", filepath.Join("ref", "csv", s+".csv"), out, "0x4000", "--inputkey", key, "--outdir", ".")
		r.same(s, r.nvs(s), r.read(out))
	}
	// Plain mfg_gen --keygen names its keys the same way.
	r.ok("mfg_gen", "generate", "edge_config.csv", "edge_values.csv", "dev", "0x4000", "--keygen", "--outdir", "ref2")
	for _, s := range stems {
		r.read(filepath.Join("ref2", "keys", "keys-"+s+".bin"))
	}
}

// TestInitFromMfgInputKey: one nvs_keys image for every device, compared directly.
func TestInitFromMfgInputKey(t *testing.T) {
	r := newMfgRun(t, false)
	r.ok("mfg_gen", "generate-key", "--keyfile", "k.bin", "--outdir", ".")
	key := filepath.Join("keys", "k.bin")
	r.plain("edge_config.csv", "edge_values.csv", "dev", "0x4000",
		[]string{"--inputkey", key}, []string{"--inputkey", key})
	if !strings.Contains(string(r.read("espcompose.hcl")), `file      = "keys/k.bin"`) {
		t.Errorf("manifest:\n%s", r.read("espcompose.hcl"))
	}
}

// TestInitFromMfgHMAC and TestInitFromMfgHMACKeygen: the HMAC scheme, with one HMAC
// key and with one per device (made by the build, named as mfg_gen names it).
func TestInitFromMfgHMAC(t *testing.T) {
	r := newMfgRun(t, false)
	if err := os.WriteFile(filepath.Join(r.dir, "hmac.bin"), bytes.Repeat([]byte{0x5a}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := []string{"--keygen", "--key_protect_hmac", "--kp_hmac_inputkey", "hmac.bin"}
	r.plain("edge_config.csv", "edge_values.csv", "dev", "0x4000", opts, opts)
}

func TestInitFromMfgHMACKeygen(t *testing.T) {
	r := newMfgRun(t, false)
	r.ok("mfg_gen", "generate", "edge_config.csv", "edge_values.csv", "dev", "0x4000", "--outdir", "ref")
	r.ok("init", "--from-mfg", "edge_config.csv", "edge_values.csv", "dev", "0x4000", "--keygen", "--key-protect-hmac", "--kp-hmac-keygen")
	r.ok("build", "-f", "espcompose.hcl", "-o", "dist")
	for _, s := range r.stems() {
		hk := filepath.Join("keys", "hmac-keys-"+s+".bin")
		if len(r.read(hk)) != 32 {
			t.Fatalf("%s is not an HMAC key", hk)
		}
		r.ok("nvs_partition_gen", "encrypt", filepath.Join("ref", "csv", s+".csv"), filepath.Join("enc", s+".bin"), "0x4000",
			"--keygen", "--keyfile", "k-"+s+".bin", "--key_protect_hmac", "--kp_hmac_inputkey", hk, "--outdir", "o")
		r.same(s, r.nvs(s), r.read(filepath.Join("o", "enc", s+".bin")))
	}
}

// TestInitFromMfgPrint prints the manifest and writes nothing.
func TestInitFromMfgPrint(t *testing.T) {
	r := newMfgRun(t, false)
	before := snapshotTree(t, r.dir)
	out := r.ok("init", "--from-mfg", "edge_config.csv", "edge_values.csv", "dev", "0x4000", "--print")
	if !strings.Contains(out, `nvs "mfg" {`) {
		t.Errorf("--print printed:\n%s", out)
	}
	if diff := diffTrees(before, snapshotTree(t, r.dir)); diff != "" {
		t.Errorf("--print wrote files:\n%s", diff)
	}
}
