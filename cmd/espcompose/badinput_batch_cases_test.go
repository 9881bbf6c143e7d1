package main

// batchCases: device batch flags, `devices merge` and `cache prune`.
func batchCases() []badCase {
	b := func(flags string) []string { return argv("build -f qs/espcompose.hcl " + flags) }
	return []badCase{
		{"build --shard without devices", nil, b("-o out --cache-dir cache --shard 1/2"), 2, "espcompose: --shard: qs/espcompose.hcl has no devices block, so it builds one configuration; drop --shard"},
		{"build --jobs without devices", nil, b("-o out --cache-dir cache --jobs 2"), 2, "espcompose: --jobs: qs/espcompose.hcl has no devices block, so it builds one configuration; drop --jobs"},
		{"build bad --cache-max-size", nil, b("-o out --cache-dir cache --cache-max-size lots"), 2, `espcompose: --cache-max-size: "lots" is not a size (e.g. 500MB, 2GiB, 1048576)`},
		{"devices merge of a non-shard", nil, argv("devices merge out qs"), 2, "espcompose: qs: not a shard of a device batch (no readable shard.json: no such file or directory); build each with --shard K/N"},
		{"devices merge without shards", nil, argv("devices merge out"), 2, "espcompose: requires at least 2 arg(s), only received 1"},
		{"cache prune bad --max-size", nil, argv("cache prune --cache-dir cache --max-size 5QB"), 2, `espcompose: --max-size: "5QB": unknown unit "QB" (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`},
		{"cache prune of a folder that is no cache", nil, argv("cache prune --cache-dir qs"), 2, "espcompose: qs is not a stage cache (it has no entries/ or objects/ folder); give the build's --cache-dir"},
		{"cache prune bad --older-than", nil, argv("cache prune --cache-dir cache --older-than soon"), 2, `espcompose: invalid argument "soon" for "--older-than" flag: time: invalid duration "soon"`},
	}
}
