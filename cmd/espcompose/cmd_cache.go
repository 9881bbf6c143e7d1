package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/internal/cas"
)

// newCacheCommand is `espcompose cache`: look after the stage cache.
func (a *app) newCacheCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Look after the stage cache (prune)",
	}
	var maxSize string
	var olderThan time.Duration
	prune := &cobra.Command{
		Use:   "prune",
		Short: "Remove least recently used cache entries and the objects nothing refers to",
		Long: "Removes cache entries not used for --older-than, then the least recently used until the\n" +
			"cache fits --max-size, then every object no remaining entry refers to. Without either flag it\n" +
			"only removes unreferenced objects. It never waits for, or disturbs, a build using the cache:\n" +
			"then it removes nothing and says so. The cache is --cache-dir, or .espcompose/cache beside -f.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			max, err := parseSize(maxSize)
			if err != nil {
				return usagef("--max-size: %v", err)
			}
			if olderThan < 0 {
				return usagef("--older-than %s: want a positive duration, e.g. 720h", olderThan)
			}
			dir := a.cache
			if dir == "" {
				dir = filepath.Join(filepath.Dir(a.file), ".espcompose", "cache")
			}
			if !looksLikeCache(a.fs, dir) {
				return usagef("%s is not a stage cache (it has no entries/ or objects/ folder); give the build's --cache-dir", dir)
			}
			store := cas.New(a.fs, dir, a.log)
			before := store.Size()
			res, err := store.Prune(cas.PruneOptions{MaxSize: max, OlderThan: olderThan})
			if errors.Is(err, cas.ErrBusy) {
				return fmt.Errorf("%s is in use by a build; prune it when no build runs", dir)
			}
			if err != nil {
				return err
			}
			if a.json {
				return writeJSON(a.stdout, map[string]any{"cache": dir, "entries_removed": res.Entries, "objects_removed": res.Objects,
					"bytes_freed": res.Freed, "bytes_before": before, "bytes_after": store.Size()})
			}
			fmt.Fprintf(a.stdout, "Pruned %s: %d entries and %d objects removed, %s freed; %s left.\n",
				dir, res.Entries, res.Objects, formatSize(res.Freed), formatSize(store.Size()))
			return nil
		},
	}
	prune.Flags().StringVar(&maxSize, "max-size", "", "keep the cache under this size, e.g. 500MB, 2GiB (least recently used entries go first)")
	prune.Flags().DurationVar(&olderThan, "older-than", 0, "remove entries not used for this long, e.g. 720h")
	cmd.AddCommand(prune)
	return cmd
}

// parseSize reads a size: bytes, or a number with a unit (K, M, G, T as powers of
// 1000 with B, KiB, MiB, GiB, TiB as powers of 1024). "" is 0.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, nil
	}
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 500MB, 2GiB, 1048576)", s)
	}
	mult := map[string]float64{"": 1, "b": 1,
		"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
	m, ok := mult[unit]
	if !ok {
		return 0, fmt.Errorf("%q: unknown unit %q (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)", s, t[i:])
	}
	return int64(v * m), nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// looksLikeCache: a folder a build made its cache in (a missing one is an empty cache).
func looksLikeCache(fs afero.Fs, dir string) bool {
	if _, err := fs.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return true
	}
	for _, sub := range []string{"entries", "objects"} {
		if st, err := fs.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}
