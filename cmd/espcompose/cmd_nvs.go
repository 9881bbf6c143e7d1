package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/manifest"
)

// random is the source of fresh key material; tests inject their own through a.rand.
func (a *app) random() io.Reader {
	if a.rand != nil {
		return a.rand
	}
	return rand.Reader
}

// aferoDirFS exposes one directory of an afero.Fs as an fs.FS, so that the
// "file" rows of a CSV resolve relative to that CSV, on disk or in memory.
type aferoDirFS struct {
	fs  afero.Fs
	dir string
}

func (d aferoDirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := d.fs.Open(filepath.Join(d.dir, filepath.FromSlash(name)))
	if err != nil {
		// Report the name as the CSV wrote it, not the joined path.
		return nil, &fs.PathError{Op: "open", Path: name, Err: unwrapPath(err)}
	}
	return f, nil
}

// nvsKeyFlags are the mutually exclusive ways of naming NVS encryption keys.
type nvsKeyFlags struct {
	keyfile, hmacKey string
}

func (k *nvsKeyFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.keyfile, "keyfile", "", "nvs_keys partition image (4096 bytes) holding the XTS key pair")
	f.StringVar(&k.hmacKey, "hmac-key", "", "32-byte eFuse HMAC key to derive the XTS keys from (HMAC scheme)")
}

// load returns the keys the flags name, or nil when neither is given.
func (k *nvsKeyFlags) load(a *app) (*nvs.Keys, error) {
	switch {
	case k.keyfile != "" && k.hmacKey != "":
		return nil, usagef("--keyfile and --hmac-key are mutually exclusive")
	case k.keyfile != "":
		b, err := a.readInput(k.keyfile)
		if err != nil {
			return nil, err
		}
		defer clear(b)
		keys, err := nvs.ParseKeyPartition(b)
		if err != nil {
			return nil, usageError{fmt.Errorf("--keyfile %s: %w", k.keyfile, err)}
		}
		return &keys, nil
	case k.hmacKey != "":
		b, err := a.readInput(k.hmacKey)
		if err != nil {
			return nil, err
		}
		defer clear(b)
		keys, err := nvs.DeriveHMACKeys(b)
		if err != nil {
			return nil, usageError{fmt.Errorf("--hmac-key %s: %w", k.hmacKey, err)}
		}
		return &keys, nil
	}
	return nil, nil
}

func wipeKeys(k *nvs.Keys) {
	if k != nil {
		clear(k.Encryption[:])
		clear(k.Tweak[:])
	}
}

// writeSecret creates a key file that did not exist, readable by its owner only.
// Output to stdout is refused: key bytes are never printed.
func (a *app) writeSecret(flag, path string, data []byte) error {
	if path == "-" {
		return usagef("%s: refusing to write key material to stdout", flag)
	}
	if err := a.writeGuarded(path, data, 0o600, true); err != nil {
		if errors.Is(err, os.ErrExist) {
			return usagef("%s %s: file exists; refusing to overwrite a key file", flag, path)
		}
		return err
	}
	return nil
}

// checkAbsent fails early when a key file would be overwritten, before any work.
func (a *app) checkAbsent(flag, path string) error {
	if path == "-" {
		return usagef("%s: refusing to write key material to stdout", flag)
	}
	if err := a.checkOutputFile(path); err != nil {
		return err
	}
	if _, err := a.fs.Stat(path); err == nil {
		return usagef("%s %s: file exists; refusing to overwrite a key file", flag, path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func (a *app) newNVSCommand() *cobra.Command {
	root := &cobra.Command{Use: "nvs", Short: "Encode and decode NVS partitions (nvs_partition_gen compatible)"}
	root.AddCommand(a.newNVSEncodeCommand(), a.newNVSDecodeCommand(), a.newNVSKeygenCommand())
	return root
}

func (a *app) newNVSEncodeCommand() *cobra.Command {
	var (
		size, keysOut string
		version       int
		keys          nvsKeyFlags
	)
	cmd := &cobra.Command{
		Use:   "encode IN.csv [IN2.csv...] OUT.bin --size N",
		Short: "Encode nvs_partition_gen CSV files into an NVS partition image",
		Long: `Encode nvs_partition_gen CSV files into an NVS partition image, byte-identical
with the reference tool. "file" rows resolve relative to their CSV's directory.

Encryption: --keyfile uses an existing nvs_keys partition image, --hmac-key derives
the keys from the eFuse HMAC key; with neither, --keys-out draws fresh keys and writes
their nvs_keys image (mode 0600, never overwriting a file).`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if size == "" {
				return usagef("nvs encode needs --size")
			}
			n, err := manifest.ParseSize(size)
			if err != nil {
				return usagef("--size: %v", err)
			}
			if n > 128<<20 {
				// An NVS partition lives in flash, and no ESP flash is larger than 128MB.
				return usagef("--size %s: larger than the largest flash (128MB)", size)
			}
			if version != 1 && version != 2 {
				return usagef("--version must be 1 or 2, not %d", version)
			}
			if keysOut != "" && keys.keyfile != "" {
				return usagef("--keys-out and --keyfile are mutually exclusive: --keyfile already names the keys")
			}
			if keysOut != "" {
				if err := a.checkAbsent("--keys-out", keysOut); err != nil {
					return err
				}
			}
			k, err := keys.load(a)
			if err != nil {
				return err
			}
			if k == nil && keysOut != "" {
				fresh, err := nvs.GenerateKeys(a.random())
				if err != nil {
					return err
				}
				k = &fresh
			}
			defer wipeKeys(k)

			return a.encodeNVS(nvsJob{
				inputs:  args[:len(args)-1],
				out:     args[len(args)-1],
				size:    size,
				opts:    nvs.Options{Size: uint32(n), Version: version, Keys: k},
				keysOut: keysOut,
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&size, "size", "", "partition size: 0x3000, 12K or 12288 (a multiple of 4096)")
	f.IntVar(&version, "version", 2, "NVS format version: 1 (single-page blobs) or 2 (multi-page blobs)")
	f.StringVar(&keysOut, "keys-out", "", "write the nvs_keys partition image here (fresh keys, or those derived with --hmac-key)")
	keys.register(cmd)
	return cmd
}

func (a *app) newNVSKeygenCommand() *cobra.Command {
	var hmacKey string
	cmd := &cobra.Command{
		Use:   "keygen OUT.bin [--hmac-key hmac.bin]",
		Short: "Write an nvs_keys partition image with fresh keys, or keys derived from an HMAC key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkAbsent("nvs keygen", args[0]); err != nil {
				return err
			}
			kf := nvsKeyFlags{hmacKey: hmacKey}
			k, err := kf.load(a)
			if err != nil {
				return err
			}
			if k == nil {
				fresh, err := nvs.GenerateKeys(a.random())
				if err != nil {
					return err
				}
				k = &fresh
			}
			defer wipeKeys(k)
			part := k.MarshalPartition()
			defer clear(part)
			return a.writeSecret("nvs keygen", args[0], part)
		},
	}
	cmd.Flags().StringVar(&hmacKey, "hmac-key", "", "32-byte eFuse HMAC key to derive the XTS keys from (HMAC scheme)")
	return cmd
}

// blobPreview is how many blob bytes the text listing shows.
const blobPreview = 32

func (a *app) newNVSDecodeCommand() *cobra.Command {
	var keys nvsKeyFlags
	cmd := &cobra.Command{
		Use:   "decode IN.bin [--keyfile K | --hmac-key H] [--json]",
		Short: "List the namespaces and entries of an NVS partition image",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := keys.load(a)
			if err != nil {
				return err
			}
			defer wipeKeys(k)
			img, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			if err := checkNVSSize(len(img)); err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			d, err := nvs.Decode(img, k)
			if err != nil {
				if k == nil && errors.Is(err, nvs.ErrCRC) {
					err = fmt.Errorf("%w (if the image is encrypted, pass --keyfile or --hmac-key)", err)
				}
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			if d.Pages == 0 {
				// Decode accepts an erased partition (it is what a device starts
				// with), but as a file to read it holds nothing: most likely the
				// wrong file or offset.
				return usagef("%s: no NVS page: all %d page(s) (0x0-0x%x) are erased (0xFF)", args[0], len(img)/nvs.PageSize, len(img)-1)
			}
			if a.json {
				return writeJSON(a.stdout, nvsJSON(d))
			}
			printNVS(a.stdout, d)
			return nil
		},
	}
	keys.register(cmd)
	return cmd
}

// checkNVSSize refuses input that cannot be an NVS partition before decoding it.
func checkNVSSize(n int) error {
	switch {
	case n == 0:
		return fmt.Errorf("empty file: an NVS partition is a whole number of %d-byte pages", nvs.PageSize)
	case n%nvs.PageSize != 0:
		return fmt.Errorf("%d bytes is not a whole number of %d-byte pages: the last page, at offset %#x, has only %d bytes",
			n, nvs.PageSize, n/nvs.PageSize*nvs.PageSize, n%nvs.PageSize)
	}
	return nil
}

func printNVS(w io.Writer, d *nvs.Decoded) {
	fmt.Fprintf(w, "NVS version %d, %d page(s) in use\n", d.Version, d.Pages)
	for _, ns := range d.Partition.Namespaces {
		fmt.Fprintf(w, "namespace %s\n", ns.Name)
		for _, e := range ns.Entries {
			fmt.Fprintf(w, "  %-15s %-6s %s\n", e.Key, e.Type, entryText(e))
		}
	}
}

func entryText(e nvs.Entry) string {
	switch {
	case e.Type == nvs.String:
		return strconv.Quote(e.Str)
	case e.Type == nvs.Blob:
		if len(e.Blob) <= blobPreview {
			return fmt.Sprintf("%d bytes: %s", len(e.Blob), hex.EncodeToString(e.Blob))
		}
		return fmt.Sprintf("%d bytes: %s...", len(e.Blob), hex.EncodeToString(e.Blob[:blobPreview]))
	case e.Type.IsInteger() && e.Type&0x10 != 0:
		return strconv.FormatInt(e.Int, 10)
	case e.Type.IsInteger():
		return strconv.FormatUint(e.Uint, 10)
	}
	return "?"
}

type nvsEntryJSON struct {
	Key   string      `json:"key"`
	Type  string      `json:"type"`
	Value json.Number `json:"value,omitempty"`
	Str   *string     `json:"string,omitempty"`
	Size  *int        `json:"size,omitempty"`
	Hex   string      `json:"hex,omitempty"`
}

type nvsNamespaceJSON struct {
	Name    string         `json:"name"`
	Entries []nvsEntryJSON `json:"entries"`
}

type nvsJSONDoc struct {
	Version    int                `json:"version"`
	Pages      int                `json:"pages"`
	Namespaces []nvsNamespaceJSON `json:"namespaces"`
}

func nvsJSON(d *nvs.Decoded) nvsJSONDoc {
	doc := nvsJSONDoc{Version: d.Version, Pages: d.Pages, Namespaces: []nvsNamespaceJSON{}}
	for _, ns := range d.Partition.Namespaces {
		n := nvsNamespaceJSON{Name: ns.Name, Entries: []nvsEntryJSON{}}
		for _, e := range ns.Entries {
			j := nvsEntryJSON{Key: e.Key, Type: e.Type.String()}
			switch {
			case e.Type == nvs.String:
				s := e.Str
				if !utf8.ValidString(s) {
					j.Hex = hex.EncodeToString([]byte(s))
				} else {
					j.Str = &s
				}
			case e.Type == nvs.Blob:
				size := len(e.Blob)
				j.Size, j.Hex = &size, hex.EncodeToString(e.Blob)
			case e.Type.IsInteger():
				j.Value = json.Number(entryText(e))
			}
			n.Entries = append(n.Entries, j)
		}
		doc.Namespaces = append(doc.Namespaces, n)
	}
	return doc
}
