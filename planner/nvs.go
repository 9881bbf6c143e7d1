package planner

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/espcompose/espcompose/internal/fsutil"
	"path/filepath"
	"strconv"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/espat"
	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// nvsStage builds the content of an nvs block and the stage encoding it for one
// partition. Content order is fixed: esp_at import, then import_csv files in order,
// then namespace blocks; a namespace named again gets the new entries appended.
func (p *planner) nvsStage(n *manifest.NVS, mp *manifest.Partition) string {
	content, certs, ok := p.nvsContent(n)
	if !ok {
		return ""
	}
	s := &stages.NVS{Name: n.Name, Partition: mp.Name, Content: content, Size: mp.Size, Format: n.Version, Certs: certs}
	if n.EncryptWith != nil {
		k := p.cfg.Key(n.EncryptWith.Name)
		if k.Algorithm != "nvs-xts" && k.Algorithm != "nvs-hmac" {
			p.errorf(n.EncryptWith.Range, "Wrong key for NVS encryption",
				"key.%s has algorithm %q; NVS encryption takes an \"nvs-xts\" key (nvs_keys partition) or an \"nvs-hmac\" key.", k.Name, k.Algorithm)
			return ""
		}
		s.KeyName, s.KeyScheme = k.Name, k.Algorithm
		p.keyStage(k.Name)
	}
	// Encode once now so that "does not fit" is a plan error pointing at the manifest.
	if _, err := nvs.Encode(content, nvs.Options{Size: mp.Size, Version: n.Version}); err != nil {
		p.errorf(mp.AttrRange("size"), "NVS contents do not fit", "nvs.%s in partition %q: %v.", n.Name, mp.Name, err)
		return ""
	}
	return p.add(s)
}

func (p *planner) nvsContent(n *manifest.NVS) (*nvs.Partition, []stages.NVSCert, bool) {
	var certs []stages.NVSCert
	part := &nvs.Partition{}
	ok := true
	if e := n.EspAt; e != nil {
		res, err := espat.Import(fsutil.Sub(p.opts.FS, e.RawData),
			espat.Config{Platform: e.Platform, Module: e.Module, Options: e.Config})
		if err != nil {
			p.errorf(e.Range, "Cannot import esp-at data", "%s: %v.", p.rel(e.RawData), err)
			ok = false
		} else {
			appendNVS(part, res.Partition)
		}
	}
	csvAt := n.Range
	if n.ImportCSVRange.Filename != "" {
		csvAt = n.ImportCSVRange
	}
	if base := n.ImportCSVBaseDir; base != "" {
		// The reference resolves from a working directory that exists; so must this.
		if st, err := p.opts.FS.Stat(base); err != nil || !st.IsDir() {
			p.errorf(csvAt, "import_csv_base_dir is not a folder", "%s: the file rows of import_csv resolve from it, so it must exist.", p.rel(base))
			return nil, nil, false
		}
	}
	for _, path := range n.ImportCSV {
		src, err := afero.ReadFile(p.opts.FS, path)
		if err != nil {
			p.errorf(csvAt, "Cannot read NVS CSV", "%s: %v.", p.rel(path), unwrap(err))
			ok = false
			continue
		}
		files := fsutil.Sub(p.opts.FS, filepath.Dir(path))
		im := nvs.NewCSVImporter(files)
		if base := n.ImportCSVBaseDir; base != "" {
			// The reference's rule, asked for explicitly: rows resolve from base.
			im.ReadFile = func(name string) ([]byte, error) {
				if !filepath.IsAbs(name) {
					name = filepath.Join(base, name)
				}
				b, err := afero.ReadFile(p.opts.FS, name)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", p.rel(name), unwrap(err))
				}
				return b, nil
			}
		}
		im.Version = n.Version // a value too long is reported on its CSV line
		err = im.Add(bytes.NewReader(src), p.rel(path))
		imported := im.Partition()
		if err != nil {
			p.errorf(csvAt, "Invalid NVS CSV", "%v.", err)
			ok = false
			continue
		}
		appendNVS(part, imported)
	}
	for _, ns := range n.Namespaces {
		var entries []nvs.Entry
		for _, e := range ns.Entries {
			if e.Cert != nil {
				// A placeholder, filled by the NVS stage from the issued certificate.
				c, good := p.nvsCertItem(ns.Name, e)
				ok = ok && good
				certs = append(certs, c)
				entry := nvs.Entry{Key: e.Key, Type: nvs.Blob, Blob: []byte{}}
				if e.Type == "string" {
					entry = nvs.Entry{Key: e.Key, Type: nvs.String}
				}
				entries = append(entries, entry)
				continue
			}
			entry, good := p.nvsEntry(e)
			ok = ok && good
			entries = append(entries, entry)
		}
		appendNVS(part, &nvs.Partition{Namespaces: []nvs.Namespace{{Name: ns.Name, Entries: entries}}})
	}
	if !ok {
		return nil, nil, false
	}
	if err := part.Validate(n.Version); err != nil {
		p.errorf(n.Range, "Invalid NVS contents", "nvs.%s: %v.", n.Name, err)
		return nil, nil, false
	}
	return part, certs, true
}

func appendNVS(dst, src *nvs.Partition) {
	for _, ns := range src.Namespaces {
		found := false
		for i := range dst.Namespaces {
			if dst.Namespaces[i].Name == ns.Name {
				dst.Namespaces[i].Entries = append(dst.Namespaces[i].Entries, ns.Entries...)
				found = true
			}
		}
		if !found {
			dst.Namespaces = append(dst.Namespaces, nvs.Namespace{Name: ns.Name, Entries: append([]nvs.Entry(nil), ns.Entries...)})
		}
	}
}

var nvsIntTypes = map[string]nvs.Type{
	"u8": nvs.U8, "i8": nvs.I8, "u16": nvs.U16, "i16": nvs.I16,
	"u32": nvs.U32, "i32": nvs.I32, "u64": nvs.U64, "i64": nvs.I64,
}

var nvsIntBits = map[string]int{"u8": 8, "i8": 8, "u16": 16, "i16": 16, "u32": 32, "i32": 32, "u64": 64, "i64": 64}

func intRangeText(typ string) string {
	bits := nvsIntBits[typ]
	if typ[0] == 'u' {
		if bits == 64 {
			return "0..18446744073709551615"
		}
		return fmt.Sprintf("0..%d", uint64(1)<<bits-1)
	}
	return fmt.Sprintf("%d..%d", -(int64(1) << (bits - 1)), int64(1)<<(bits-1)-1)
}

// nvsEntry converts one manifest entry, checking ranges and encodings.
func (p *planner) nvsEntry(e *manifest.NVSEntry) (nvs.Entry, bool) {
	out := nvs.Entry{Key: e.Key}
	var raw []byte
	if e.File != "" {
		b, err := afero.ReadFile(p.opts.FS, e.File)
		if err != nil {
			p.errorf(e.At(), "Cannot read file", "entry %q: %s: %v.", e.Key, p.rel(e.File), unwrap(err))
			return out, false
		}
		raw = b
	} else if e.Value != nil {
		raw = []byte(*e.Value)
	}
	if t, isInt := nvsIntTypes[e.Type]; isInt {
		out.Type = t
		s := string(bytes.TrimSpace(raw))
		var err error
		if t == nvs.U8 || t == nvs.U16 || t == nvs.U32 || t == nvs.U64 {
			out.Uint, err = strconv.ParseUint(s, 0, nvsIntBits[e.Type])
		} else {
			out.Int, err = strconv.ParseInt(s, 0, nvsIntBits[e.Type])
		}
		if err != nil {
			p.errorf(e.At(), "NVS value out of range", "entry %q: %q is not a valid %s (%s).", e.Key, s, e.Type, intRangeText(e.Type))
			return out, false
		}
		return out, true
	}
	encoding := e.Type
	if e.File != "" && e.Encoding != "" {
		encoding = e.Encoding
	}
	switch encoding {
	case "string":
		out.Type, out.Str = nvs.String, string(raw)
		return out, true
	case "blob", "binary":
		out.Type, out.Blob = nvs.Blob, raw
		return out, true
	case "hex2bin":
		b, err := hex.DecodeString(string(bytes.TrimSpace(raw)))
		if err != nil {
			p.errorf(e.At(), "Invalid hex", "entry %q: %v.", e.Key, err)
			return out, false
		}
		out.Type, out.Blob = nvs.Blob, b
		return out, true
	case "base64":
		b, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(raw)))
		if err != nil {
			p.errorf(e.At(), "Invalid base64", "entry %q: %v.", e.Key, err)
			return out, false
		}
		out.Type, out.Blob = nvs.Blob, b
		return out, true
	}
	p.errorf(e.At(), "Unknown NVS encoding", "entry %q: %s.", e.Key, fmt.Sprintf("%q", encoding))
	return out, false
}
