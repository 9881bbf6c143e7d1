package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/nvs"
)

// bigNVSCSV is bench/run.sh's NVS input: 5,000 rows in one namespace, u32, i8,
// string and hex2bin in turn; extra is appended before the end.
func bigNVSCSV(extra string) string {
	var b strings.Builder
	b.WriteString("key,type,encoding,value\nbench,namespace,,\n")
	for i := 1; i < 5000; i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "k%05d,data,u32,%d\n", i, i*7919)
		case 1:
			fmt.Fprintf(&b, "k%05d,data,i8,%d\n", i, i%100-50)
		case 2:
			fmt.Fprintf(&b, "k%05d,data,string,value-%d\n", i, i)
		default:
			fmt.Fprintf(&b, "k%05d,data,hex2bin,%08x%08x\n", i, i, i*31)
		}
		if i == 4000 {
			b.WriteString(extra)
		}
	}
	return b.String()
}

// listDir lists every path under dir, relative, sorted.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if rel, _ := filepath.Rel(dir, p); rel != "." {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestNVSEncodeStreamed runs encode on the real disk with an input large enough that
// pages are written while later rows are still laid out: the image is Encode's, in a
// folder the command made, and nothing else is left.
func TestNVSEncodeStreamed(t *testing.T) {
	dir := t.TempDir()
	csv := bigNVSCSV("")
	if err := os.WriteFile(dir+"/in.csv", []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := nvs.ParseCSV(strings.NewReader(csv), "in.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []nvs.Options{{Size: 0x60000}, {Size: 0x60000, Version: 1}} {
		want, err := nvs.Encode(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		out := fmt.Sprintf("%s/out%d/nvs.bin", dir, opts.Version)
		args := []string{"nvs", "encode", dir + "/in.csv", out, "--size", "0x60000"}
		if opts.Version != 0 {
			args = append(args, "--version", fmt.Sprint(opts.Version))
		}
		if code, _, stderr := runCLI(t, afero.NewOsFs(), nil, args...); code != 0 {
			t.Fatal(stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("version %d: image differs from Encode's", opts.Version)
		}
		if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
			t.Errorf("mode %v", st.Mode().Perm())
		}
		if l := listDir(t, filepath.Dir(out)); len(l) != 1 || l[0] != "nvs.bin" {
			t.Errorf("output folder holds %v", l)
		}
	}
}

// TestNVSEncodeStreamedFailures makes the streamed encode fail after it has begun
// the output: a row error late in the CSV, a partition too small, an output that is
// also a file the CSV reads, an output that is the CSV. Each exits 2 with the
// message the one-pass command gave, and leaves the disk as it was.
func TestNVSEncodeStreamedFailures(t *testing.T) {
	cases := []struct {
		name, extra, out, size, want string
	}{
		{"row error", "bad,data,u8,300\n", "new/sub/nvs.bin", "0x60000", "in.csv:4003: nvs: value out of range: key `bad`: 300 out of range for u8 [0, 255]"},
		{"too small", "", "new/sub/nvs.bin", "0x10000", "--size 0x10000: nvs: partition too small: Size parameter is less than the size of data in csv"},
		{"output is a file row", "f,file,binary,blob.bin\n", "blob.bin", "0x60000", "refusing to use blob.bin as an output file: it is also an input file"},
		{"output is the CSV", "", "in.csv", "0x60000", "refusing to use in.csv as an output file: it is also an input file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			csv := bigNVSCSV(c.extra)
			if err := os.WriteFile(dir+"/in.csv", []byte(csv), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dir+"/blob.bin", []byte("blob"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := listDir(t, dir)
			code, _, stderr := runCLI(t, afero.NewOsFs(), nil, "nvs", "encode", dir+"/in.csv", dir+"/"+c.out, "--size", c.size)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitUsage, stderr)
			}
			if !strings.Contains(strings.ReplaceAll(stderr, dir+"/", ""), c.want) {
				t.Errorf("stderr %q\nwant it to contain %q", stderr, c.want)
			}
			if after := listDir(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("left behind: %v (before: %v)", after, before)
			}
			if b, _ := os.ReadFile(dir + "/in.csv"); string(b) != csv {
				t.Error("in.csv changed")
			}
			if b, _ := os.ReadFile(dir + "/blob.bin"); string(b) != "blob" {
				t.Error("blob.bin changed")
			}
		})
	}
}
