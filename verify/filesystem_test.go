package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/fsimage"
	"github.com/espcompose/espcompose/planner"
)

func fsInfo(t *testing.T, in *Input, partition string) *planner.FilesystemInfo {
	t.Helper()
	for _, fi := range in.Plan.Filesystems {
		if fi.Partition == partition {
			return fi
		}
	}
	t.Fatalf("no filesystem in partition %s", partition)
	return nil
}

// TestFilesystemChecked: both filesystem partitions of the webui example are decoded
// and compared with their folders.
func TestFilesystemChecked(t *testing.T) {
	fs, manifestFile := example(t, "webui", nil)
	in := build(t, fs, manifestFile)
	rep, err := Build(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rep.Checks {
		if c.Kind == "filesystem" {
			got = append(got, c.String())
		}
	}
	want := []string{
		"ok   filesystem region www (partitions/www.bin): wl-fat holds the 4 files of filesystem.www (www/), wear levelling perf, device id 0x",
		"ok   filesystem region assets (partitions/assets.bin): spiffs holds the 2 files of filesystem.assets (assets/)",
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], want[0]) || got[1] != want[1] {
		t.Errorf("filesystem checks:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFilesystemMismatch: an image of other files, or with another device id, fails.
func TestFilesystemMismatch(t *testing.T) {
	fs, manifestFile := example(t, "webui", nil)
	in := build(t, fs, manifestFile)
	fi := fsInfo(t, &in, "assets")
	other := append([]fsimage.Entry(nil), fi.Entries...)
	other[1].Data = []byte(`{"hostname": "evil"}`)
	img, err := fsimage.Build(fi.Spec, other)
	if err != nil {
		t.Fatal(err)
	}
	setFile(t, &in, "partitions/assets.bin", img)
	msg := failures(t, in)
	if !strings.Contains(msg, "region assets (partitions/assets.bin): does not hold the files of filesystem.assets (assets/): filesystem contents differ: config.json differs (20 bytes, want 87)") {
		t.Errorf("got:\n%s", msg)
	}

	in = build(t, fs, manifestFile)
	fi = fsInfo(t, &in, "www")
	spec := fi.Spec
	id := uint32(0x1234)
	spec.DeviceID = &id
	if img, err = fsimage.Build(spec, fi.Entries); err != nil {
		t.Fatal(err)
	}
	setFile(t, &in, "partitions/www.bin", img)
	if msg := failures(t, in); !strings.Contains(msg, "region www (partitions/www.bin): wear levelling has device id 0x00001234 in perf mode; the plan says 0x") {
		t.Errorf("got:\n%s", msg)
	}

	in = build(t, fs, manifestFile)
	setFile(t, &in, "partitions/www.bin", make([]byte, 1<<20))
	if msg := failures(t, in); !strings.Contains(msg, "region www (partitions/www.bin): is not a wl-fat image (it reads as spiffs)") {
		t.Errorf("got:\n%s", msg)
	}
}

// TestFilesystemEncrypted: a wl-fat partition flagged encrypted is written encrypted
// at its offset and verifies through decryption.
func TestFilesystemEncrypted(t *testing.T) {
	fs, manifestFile := example(t, "webui", func(src string) string {
		src = strings.Replace(src, `image "bootloader"`, `key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/flash.bin"
  create    = true
}
security {
  flash_encryption {
    key  = key.flash
    mode = "development"
  }
}

image "bootloader"`, 1)
		return strings.Replace(src, "contents = filesystem.www", "contents  = filesystem.www\n  encrypted = true", 1)
	})
	in := build(t, fs, manifestFile)
	r := region(t, &in, "www")
	if !r.Encrypted || in.Plan.Graph.Len() == 0 {
		t.Fatalf("www region %+v", r)
	}
	if s, _ := in.Plan.Graph.Node(r.Stage); s.Kind() != "encrypt" || s.Deps()[0] != "filesystem:www@www" {
		t.Fatalf("www stage %s", r.Stage)
	}
	plainImg := in.Result.Artifacts["filesystem:www@www"].Data
	if string(file(t, &in, "partitions/www.bin")[:64]) == string(plainImg[:64]) {
		t.Fatal("partitions/www.bin is not encrypted")
	}
	if _, err := Build(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	editEncrypted(t, &in, "partitions/www.bin", r.Offset, func(p []byte) []byte {
		img, err := fsimage.Build(fsInfo(t, &in, "www").Spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		return img
	})
	if msg := failures(t, in); !strings.Contains(msg, "region www (partitions/www.bin): does not hold the files of filesystem.www (www/): filesystem contents differ: missing README.TXT") {
		t.Errorf("got:\n%s", msg)
	}
}
