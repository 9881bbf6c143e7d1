package verify

import (
	"bytes"
	"fmt"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/stages"
)

// nvs decodes an NVS partition (decrypting with its NVS keys when encrypted) and
// compares it entry by entry with the content the manifest declares: namespace, key,
// type and value; blobs by their bytes. Strings and blobs, which often hold
// credentials, are described by length and position only.
func (c *checker) nvs(subject string, plain []byte, stageID string) {
	st, ok := c.stage(stageID).(*stages.NVS)
	if !ok {
		return // a raw file in an NVS partition: nothing was declared entry by entry
	}
	var keys *nvs.Keys
	with := ""
	if st.KeyName != "" {
		with = " with the keys of key." + st.KeyName
		if c.in.Keys == nil {
			c.fail("nvs", subject, "no key store to read key.%s from", st.KeyName)
			return
		}
		k, err := stages.NVSKeys(c.env, st.KeyName, st.KeyScheme)
		if err != nil {
			c.fail("nvs", subject, "cannot read the NVS keys of key.%s: %v", st.KeyName, err)
			return
		}
		keys = &k
	}
	d, err := nvs.Decode(plain, keys)
	if err != nil {
		c.fail("nvs", subject, "does not decode as NVS%s: %v", with, err)
		return
	}
	bad := 0
	wantVersion := st.Format
	if wantVersion == 0 {
		wantVersion = 2
	}
	if d.Pages > 0 && d.Version != wantVersion {
		bad++
		c.fail("nvs", subject, "is NVS format version %d; the manifest declares %d", d.Version, wantVersion)
	}
	got := map[string]nvs.Entry{}
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			got[ns.Name+"/"+e.Key] = e
		}
	}
	declared := map[string]bool{}
	for _, ns := range st.Content.Namespaces {
		for _, want := range ns.Entries {
			id := ns.Name + "/" + want.Key
			declared[id] = true
			e, ok := got[id]
			switch {
			case !ok:
				bad++
				c.fail("nvs", subject, "%s is declared but missing", id)
			case e.Type != want.Type:
				bad++
				c.fail("nvs", subject, "%s has type %s; the manifest declares %s", id, e.Type, want.Type)
			default:
				if f, isCert := certFill(st, ns.Name, want.Key); isCert {
					if d := c.certEntryDiff(e, f); d != "" {
						bad++
						c.fail("nvs", subject, "%s (from cert) %s", id, d)
					}
					continue
				}
				if d := valueDiff(e, want); d != "" {
					bad++
					c.fail("nvs", subject, "%s %s", id, d)
				}
			}
		}
	}
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			if id := ns.Name + "/" + e.Key; !declared[id] {
				bad++
				c.fail("nvs", subject, "%s is not declared", id)
			}
		}
	}
	if bad == 0 {
		c.pass("nvs", subject, "decodes%s to the %d declared entries", with, countEntries(st.Content))
	}
}

func countEntries(p *nvs.Partition) int {
	n := 0
	for _, ns := range p.Namespaces {
		n += len(ns.Entries)
	}
	return n
}

// valueDiff says how a decoded value differs from the declared one, or "" when it
// does not. Integers are shown; strings and blobs only by length and position.
func valueDiff(got, want nvs.Entry) string {
	switch {
	case want.Type == nvs.String:
		if i := firstDiff([]byte(got.Str), []byte(want.Str)); i >= 0 {
			return fmt.Sprintf("holds a %d-byte string that differs from the declared %d-byte one at byte %d", len(got.Str), len(want.Str), i)
		}
	case want.Type == nvs.Blob:
		if !bytes.Equal(got.Blob, want.Blob) {
			return fmt.Sprintf("holds a %d-byte blob that differs from the declared %d-byte one at byte %d", len(got.Blob), len(want.Blob), firstDiff(got.Blob, want.Blob))
		}
	case want.Type == nvs.U8 || want.Type == nvs.U16 || want.Type == nvs.U32 || want.Type == nvs.U64:
		if got.Uint != want.Uint {
			return fmt.Sprintf("is %d; the manifest declares %d", got.Uint, want.Uint)
		}
	default:
		if got.Int != want.Int {
			return fmt.Sprintf("is %d; the manifest declares %d", got.Int, want.Int)
		}
	}
	return ""
}
