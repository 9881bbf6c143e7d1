package compose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/internal/guard"
	"github.com/espcompose/espcompose/outputs"
)

// MergeOptions tune MergeShards.
type MergeOptions struct {
	// LockTimeout, OnWait and OnRecovered are as in Options.
	PublishSettings
	// OnDevice is told each device merged (copied, or already in place).
	OnDevice func(id string, copied bool)
}

// MergeResult is what MergeShards did.
type MergeResult struct {
	Devices, Copied int
	Shards          int
}

// MergeShards joins the trees of shards 1..N of one batch (each built with --shard
// K/N) into out: one devices/<id>/ per device, one devices.json, devices.csv and
// SHA256SUMS, the same tree one run of the whole batch makes. It refuses shards of
// different batches (their shard.json names another manifest or set of device ids),
// a shard given twice, a missing shard, a device in two shards, and a set of devices
// that is not the batch's (shard.json records the sha256 of every id of the batch).
// Each device's files are checked against its record before they are copied.
func MergeShards(fsys afero.Fs, out string, shards []string, o MergeOptions) (*MergeResult, error) {
	if len(shards) == 0 {
		return nil, usagef("devices merge needs at least one shard folder")
	}
	type shardTree struct {
		dir     string
		info    ShardInfo
		devices []indexDevice
	}
	var trees []shardTree
	byK := map[int]string{}
	for _, dir := range shards {
		st := shardTree{dir: dir}
		b, err := readSmall(fsys, filepath.Join(dir, shardJSON), 1<<20)
		if err != nil {
			return nil, usagef("%s: not a shard of a device batch (no readable %s: %v); build each with --shard K/N", dir, shardJSON, unwrapPath(err))
		}
		if err := json.Unmarshal(b, &st.info); err != nil || st.info.Format != shardFormat || st.info.N < 1 || st.info.K < 1 || st.info.K > st.info.N {
			return nil, usagef("%s: %s is not one espcompose writes", dir, filepath.Join(dir, shardJSON))
		}
		first := trees
		if len(first) > 0 {
			f := first[0].info
			if st.info.N != f.N || st.info.IDs != f.IDs || st.info.Devices != f.Devices || st.info.Manifest != f.Manifest {
				return nil, usagef("%s (shard %d/%d) and %s (shard %d/%d) are shards of different batches: their manifest, devices or shard count differ",
					first[0].dir, f.K, f.N, dir, st.info.K, st.info.N)
			}
		}
		if prev, ok := byK[st.info.K]; ok {
			return nil, usagef("%s and %s are both shard %d/%d", prev, dir, st.info.K, st.info.N)
		}
		byK[st.info.K] = dir
		raw, err := readSmall(fsys, filepath.Join(dir, indexJSON), 1<<30)
		if err != nil {
			return nil, usagef("%s: %v", dir, unwrapPath(err))
		}
		var idx struct {
			Devices []indexDevice `json:"devices"`
		}
		if err := json.Unmarshal(raw, &idx); err != nil {
			return nil, usagef("%s: %s: %v", dir, indexJSON, err)
		}
		st.devices = idx.Devices
		trees = append(trees, st)
	}
	n := trees[0].info.N
	var missing []string
	for k := 1; k <= n; k++ {
		if _, ok := byK[k]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		return nil, usagef("shard %s is missing: merge needs every shard of the batch", strings.Join(missing, ", "))
	}
	type src struct {
		dir string
		dev indexDevice
	}
	var all []src
	where := map[string]string{}
	var ids idsHash
	for _, st := range trees {
		sh := Shard{K: st.info.K, N: st.info.N}
		for _, d := range st.devices {
			if prev, ok := where[d.ID]; ok {
				return nil, usagef("device %s is in both %s and %s", d.ID, prev, st.dir)
			}
			if !sh.Has(d.ID) {
				return nil, usagef("%s: device %s does not belong to shard %s", st.dir, d.ID, sh)
			}
			where[d.ID] = st.dir
			ids.add(d.ID)
			all = append(all, src{st.dir, d})
		}
	}
	if len(all) != trees[0].info.Devices || ids.sum() != trees[0].info.IDs {
		return nil, usagef("the shards hold %d devices; the batch has %d (or other ids): a shard is incomplete or was built from another devices file; rebuild it",
			len(all), trees[0].info.Devices)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].dev.Row < all[j].dev.Row })

	for _, st := range trees {
		if abs(out) == abs(st.dir) {
			return nil, &guard.Error{What: "output directory", Path: out, Reason: "it is one of the shards being merged"}
		}
	}
	t, err := openTree(fsys, out, o.PublishSettings)
	if err != nil {
		return nil, err
	}
	defer t.close()
	if err := t.ensure(); err != nil {
		return nil, err
	}
	res := &MergeResult{Devices: len(all), Shards: len(trees)}
	entries := make([]batchEntry, 0, len(all))
	keep := map[string]bool{}
	for _, s := range all {
		copied, err := t.copyDevice(s.dir, s.dev.ID)
		if err != nil {
			return nil, err
		}
		if copied {
			res.Copied++
		}
		if o.OnDevice != nil {
			o.OnDevice(s.dev.ID, copied)
		}
		entries = append(entries, batchEntry{ID: s.dev.ID, Row: s.dev.Row})
		keep[s.dev.ID] = true
	}
	if _, err := t.removeStale(func(id string) bool { return keep[id] }); err != nil {
		return nil, err
	}
	if err := t.ensure(); err != nil {
		return nil, err
	}
	if err := t.writeIndex(entries, nil, res.Copied == 0); err != nil {
		return nil, err
	}
	return res, nil
}

// copyDevice publishes a shard's devices/<id>/ into the tree, after checking every
// file against the device's record; a device already there with the same record and
// its files in place is left alone.
func (t *tree) copyDevice(shardDir, id string) (bool, error) {
	r := readRecord(t.fs, shardDir, id)
	if r == nil {
		return false, fmt.Errorf("%s: device %s has no readable record", shardDir, id)
	}
	rec, err := readSmall(t.fs, filepath.Join(shardDir, "devices", id, RecordName), 4<<20)
	if err != nil {
		return false, err
	}
	t.addColumns(r)
	if have := readRecord(t.fs, t.out, id); have != nil && t.existing[id] {
		mine, err := readSmall(t.fs, filepath.Join(t.out, "devices", id, RecordName), 4<<20)
		if err == nil && bytes.Equal(mine, rec) && intact(t.fs, filepath.Join(t.out, "devices", id), have) {
			return false, nil
		}
	}
	files := make([]outputs.File, 0, len(r.Files)+1)
	for _, f := range r.Files {
		p := filepath.Join(shardDir, "devices", id, filepath.FromSlash(f.Name))
		data, err := afero.ReadFile(t.fs, p)
		if err != nil {
			return false, err
		}
		if sha256hex(data) != f.SHA256 {
			return false, fmt.Errorf("%s: its content is not what the device's record says (sha256 %s); the shard was changed after it was built", p, f.SHA256)
		}
		files = append(files, outputs.File{Name: f.Name, Data: data, Mode: f.Mode, SHA256: f.SHA256})
	}
	files = append(files, outputs.File{Name: RecordName, Data: rec, Mode: 0o644, SHA256: sha256hex(rec)})
	if err := t.publishDevice(id, files); err != nil {
		return false, err
	}
	return true, nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return a
}
