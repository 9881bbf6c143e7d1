// Package fsutil holds crash-safe file publishing helpers on top of an
// afero.Fs, so the same code runs against the real disk and an in-memory
// filesystem in tests.
//
// The rule every helper follows: readers of the final path see either the
// previous complete content or the new complete content, never a partial
// write. That relies on rename being atomic within one directory (POSIX
// rename(2); Go's os.Rename on Windows uses MoveFileEx with
// MOVEFILE_REPLACE_EXISTING). afero.MemMapFs renames under a lock, which is
// atomic for in-process readers. Temporary names always live next to the
// final path so the rename never crosses a filesystem boundary.
package fsutil
