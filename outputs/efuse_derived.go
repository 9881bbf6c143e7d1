package outputs

import (
	"sort"
	"strings"
)

// EfuseDerivedKey names what `espcompose key derive` needs to re-derive a device's
// flash encryption key: the manifest (relative to its folder, where the script runs),
// the device, the key block and the variables the build used.
type EfuseDerivedKey struct {
	Manifest string
	Device   string
	Key      string
	Vars     map[string]string
}

// derivedKeyArg is the temporary key file, inside the private folder wrap makes.
const derivedKeyArg = `"$keydir/key.bin"`

// wrap surrounds the burn command: a folder only the user can read (umask 077,
// mktemp -d) takes the derived key, and a trap removes it however the script ends
// (a declined espefuse prompt, set -e, Ctrl-C), so the key never outlives the burn.
// Every name is one quoted shell word (shQuote); ESPCOMPOSE may name the binary.
func (d *EfuseDerivedKey) wrap(burn string) []string {
	manifest := d.Manifest
	if manifest == "" {
		manifest = "espcompose.hcl"
	}
	var derive strings.Builder
	derive.WriteString(`"${ESPCOMPOSE:-espcompose}" key derive -f ` + pathArg(manifest))
	names := make([]string, 0, len(d.Vars))
	for n := range d.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		derive.WriteString(" -var " + shQuote(n+"="+d.Vars[n]))
	}
	derive.WriteString(" --device=" + shQuote(d.Device) + " -- " + shQuote(d.Key) + " " + derivedKeyArg)
	return []string{
		`keydir=$(umask 077 && mktemp -d)`,
		`trap 'rm -rf -- "$keydir"' EXIT`,
		`trap 'exit 1' HUP INT TERM`,
		derive.String(),
		burn,
		`shred -u ` + derivedKeyArg + ` 2>/dev/null || rm -f -- ` + derivedKeyArg,
		`rmdir -- "$keydir"`,
	}
}
