package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/compose"
)

// newDevicesCommand is `espcompose devices`: work on device batch trees.
func (a *app) newDevicesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "Work on device batch output trees (merge shards)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "merge OUT SHARD_DIR...",
		Short: "Join the outputs of build --shard 1/N..N/N into one tree",
		Long: "Joins the output folders of every shard of one device batch into OUT: one devices/<id>/ per\n" +
			"device, one devices.json, devices.csv and SHA256SUMS, the tree a single build of the whole\n" +
			"batch makes. Refuses shards of different batches, a missing or repeated shard, a device in\n" +
			"two shards, and shards that together do not hold every device of the batch.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := args[0]
			res, err := compose.MergeShards(a.fs, out, args[1:], compose.MergeOptions{
				PublishSettings: compose.PublishSettings{LockTimeout: a.lockTimeout, OnWait: func(pid int) {
					fmt.Fprintf(a.stderr, "espcompose: another build is writing %s; waiting up to %s\n", out, a.lockTimeout)
				}},
			})
			if err != nil {
				return cliError(err)
			}
			if a.json {
				return writeJSON(a.stdout, map[string]any{"out": out, "devices": res.Devices, "copied": res.Copied, "shards": res.Shards})
			}
			fmt.Fprintf(a.stdout, "Merged %d shards into %s: %d devices, %d copied, %d already in place.\n",
				res.Shards, out, res.Devices, res.Copied, res.Devices-res.Copied)
			return nil
		},
	})
	return cmd
}
