package main

import (
	"fmt"

	"github.com/espcompose/espcompose/outputs"
)

// describeFilesystem is the CONTENTS column of a filesystem partition.
func describeFilesystem(fs *outputs.FilesystemSummary) string {
	n := 0
	for _, f := range fs.Files {
		if !f.Dir {
			n++
		}
	}
	s := fmt.Sprintf("%s filesystem: %s", fs.Type, plural(n, "file"))
	if fs.DeviceID != "" {
		s += fmt.Sprintf(" (wear levelling %s, device id %s)", fs.WLMode, fs.DeviceID)
	}
	return s
}

// printFilesystems lists the files of every filesystem partition after the map.
func printFilesystems(a *app, in *outputs.Inspection) {
	for _, p := range in.Partitions {
		if p.Filesystem == nil {
			continue
		}
		fmt.Fprintf(a.stdout, "\n%s files in %s:\n", p.Filesystem.Type, p.Name)
		for _, f := range p.Filesystem.Files {
			if f.Dir {
				fmt.Fprintf(a.stdout, "  %10s  %s/\n", "-", f.Path)
			} else {
				fmt.Fprintf(a.stdout, "  %10d  %s\n", f.Size, f.Path)
			}
		}
	}
}
