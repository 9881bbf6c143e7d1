//go:build !linux

package compose

import "os"

// statKey needs the change time, which this package reads only on Linux; elsewhere
// there is no up-to-date record and every rebuild takes the full path.
func statKey(os.FileInfo) (statID, bool) { return statID{}, false }
