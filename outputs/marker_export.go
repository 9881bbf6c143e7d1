package outputs

// MarkerFor is the marker a publish of files writes. A caller that publishes many
// small trees under one lock of its own (a device batch: devices/<id>/ each) writes
// the same marker, so CheckOwned and Unchanged treat those trees like any other.
func MarkerFor(files []File) []byte { return markerContent(files) }
