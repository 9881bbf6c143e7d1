// Package compose is the whole espcompose build as a library call, for Go programs and
// build hooks that do not want to run the CLI:
//
//	p, err := compose.Load(compose.Options{FS: afero.NewOsFs(), Manifest: "espcompose.hcl", Out: "dist"}, false)
//	if err != nil { ... }           // *DiagnosticsError, *UsageError, or a guard refusal
//	defer p.Close()                 // forgets key material, releases PKCS#11 tokens
//	res, err := p.Build(ctx)        // runs the stages, verifies, publishes dist/
//
// Load parses and evaluates the manifest (once, or once per row of its devices file),
// plans every configuration, sets up its signers and checks the output and cache
// directories with the guard, all before anything is written. Build runs the stages
// over the shared cache, reads every output back with the decoders, and publishes the
// tree in one swap: the manifest's files, or devices/<id>/ per device with
// devices.json and one SHA256SUMS.
//
// The package never reads the process environment or prints: variables,
// SOURCE_DATE_EPOCH and PKCS#11 PINs come in through Options, and diagnostics, stage
// progress and lock waits go out through its callbacks. cmd/espcompose is one caller.
package compose
