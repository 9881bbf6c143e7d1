package diff

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/manifest"
)

// ManifestFile is the manifest a folder given to Load is read as when it is not a
// build directory.
const ManifestFile = "espcompose.hcl"

// Load reads a release: a build directory (it holds build.json), a folder holding
// espcompose.hcl, or a manifest file. opts carries what a manifest is evaluated with
// (FS, variables, device, diagnostics callback); its Manifest and Out are set here.
// Nothing is written: the file system is wrapped read-only.
func Load(ctx context.Context, opts compose.Options, where string) (*Release, error) {
	ro := afero.NewReadOnlyFs(opts.FS)
	st, err := ro.Stat(where)
	if err != nil {
		return nil, &InputError{File: where, Err: unwrapPath(err)}
	}
	if !st.IsDir() {
		return loadManifest(ctx, opts, ro, where, where)
	}
	if _, err := ro.Stat(filepath.Join(where, "build.json")); err == nil {
		return LoadBuild(ro, where)
	}
	if _, err := ro.Stat(filepath.Join(where, ManifestFile)); err == nil {
		return loadManifest(ctx, opts, ro, filepath.Join(where, ManifestFile), where)
	}
	if _, err := ro.Stat(filepath.Join(where, "devices.json")); err == nil {
		return nil, inputErrorf(where, 0, "a devices build: compare one device's folder, %s", filepath.Join(where, "devices", "<id>"))
	}
	return nil, inputErrorf(where, 0, "neither a build directory (no build.json) nor a project folder (no %s)", ManifestFile)
}

// LoadBuild reads a build directory. Every file it reads is checked against
// SHA256SUMS (or, in a device's folder of a devices build, build.json's outputs), so
// a file changed since the build is an error, not a difference.
func LoadBuild(fsys afero.Fs, dir string) (*Release, error) {
	f := &files{where: dir, data: map[string][]byte{}}
	sums, err := afero.ReadFile(fsys, filepath.Join(dir, "SHA256SUMS"))
	if errors.Is(err, fs.ErrNotExist) {
		return loadByRecord(fsys, f)
	}
	if err != nil {
		return nil, &InputError{File: f.name("SHA256SUMS"), Err: unwrapPath(err)}
	}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for line := 1; sc.Scan(); line++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" || strings.Contains(name, "..") || path.IsAbs(name) {
			return nil, inputErrorf(f.name("SHA256SUMS"), line, "expected \"<sha256>  <file>\", found %q", sc.Text())
		}
		if err := f.read(fsys, name, sum, "SHA256SUMS", line); err != nil {
			return nil, err
		}
	}
	return f.release(dir, "build")
}

// loadByRecord reads a folder without SHA256SUMS (a device's folder of a devices
// build) by the outputs its build.json lists.
func loadByRecord(fsys afero.Fs, f *files) (*Release, error) {
	raw, err := afero.ReadFile(fsys, filepath.Join(f.where, "build.json"))
	if err != nil {
		return nil, &InputError{File: f.name("build.json"), Err: unwrapPath(err)}
	}
	f.data["build.json"] = raw
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, jsonError(f.name("build.json"), raw, err)
	}
	for _, o := range rec.Outputs {
		if strings.Contains(o.Path, "..") || path.IsAbs(o.Path) {
			return nil, inputErrorf(f.name("build.json"), lineOf(raw, strconv.Quote(o.Path)), "output %q is not a path inside the build", o.Path)
		}
		if err := f.read(fsys, o.Path, o.SHA256, "build.json", lineOf(raw, strconv.Quote(o.Path))); err != nil {
			return nil, err
		}
	}
	return f.release(f.where, "build")
}

// read loads one listed file and checks its digest.
func (f *files) read(fsys afero.Fs, name, sum, list string, line int) error {
	data, err := afero.ReadFile(fsys, filepath.Join(f.where, filepath.FromSlash(name)))
	if err != nil {
		return inputErrorf(f.name(list), line, "%s: %v", name, unwrapPath(err))
	}
	if got := sha256hex(data); got != sum {
		return inputErrorf(f.name(list), line, "%s does not match its sha256 (%s, listed %s): it changed since the build", name, got, sum)
	}
	f.data[name] = data
	return nil
}

// loadManifest plans the manifest and runs its stages in memory, as a build would,
// without the cache and without writing anything.
func loadManifest(ctx context.Context, opts compose.Options, ro afero.Fs, file, where string) (*Release, error) {
	opts.FS = ro
	opts.Manifest = file
	opts.Out = ""
	// Checked on the parsed manifest, before compose.Load opens any PKCS#11 token.
	if f, diags := manifest.Parse(ro, file); !diags.HasErrors() {
		if err := refuseExternalSigners(f); err != nil {
			return nil, err
		}
	}
	p, err := compose.Load(opts, true)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if len(p.Configs) > 1 {
		return nil, &compose.UsageError{Err: fmt.Errorf("%s has a devices block: choose the device to compare with --device", file)}
	}
	rendered, err := p.Render(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	f := &files{where: file, data: map[string][]byte{}, plain: map[string][]byte{}, nvsKeys: map[string]*nvs.Keys{}}
	defer func() {
		for _, k := range f.nvsKeys {
			*k = nvs.Keys{} // key material: forget it once the entries are read
		}
	}()
	for _, file := range rendered.Files {
		f.data[file.Name] = file.Data
	}
	for _, r := range rendered.Config.Plan.Regions {
		if r.Stage == "" {
			continue
		}
		if r.Encrypted {
			if data, ok := rendered.Plaintext(r.Stage); ok {
				f.plain[r.Name] = data
			}
		}
		keys, ok, err := rendered.NVSKeys(r.Stage)
		if err != nil {
			return nil, fmt.Errorf("%s: NVS key of %s: %w", file, r.Name, err)
		}
		if ok {
			f.nvsKeys[r.Name] = &keys
		}
	}
	return f.release(where, "manifest")
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// refuseExternalSigners refuses a manifest with a key that signs through a signer
// command or a PKCS#11 token: they sign for real (an HSM, an audit log, a person
// approving), and a comparison must not ask them to. The release's build directory
// holds the signed images.
func refuseExternalSigners(f *manifest.File) error {
	for _, k := range f.Keys {
		if k.Attr("signer") != nil || len(k.NestedOf("pkcs11")) > 0 {
			return &InputError{File: k.DeclRange.Filename, Line: k.DeclRange.Start.Line, Err: fmt.Errorf(
				"key.%s signs through an external signer, which diff does not ask to sign: build this release and compare its build directory", k.Name)}
		}
	}
	return nil
}
