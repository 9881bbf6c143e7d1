package doctor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/espcompose/espcompose/outputs"
)

// ErrNotABuild: the directory is not an espcompose build output.
var ErrNotABuild = errors.New("not an espcompose build directory")

// flasherArgs is the part of flasher_args.json doctor reads.
type flasherArgs struct {
	WriteFlashArgs []string          `json:"write_flash_args"`
	FlashSettings  map[string]string `json:"flash_settings"`
	FlashFiles     map[string]string `json:"flash_files"`
	raw            map[string]json.RawMessage
}

type otaManifest struct {
	Slots []struct {
		Slot      string `json:"slot"`
		Offset    string `json:"offset"`
		File      string `json:"file"`
		Encrypted bool   `json:"encrypted"`
	} `json:"slots"`
}

// Dir runs the checks on a build directory (espcompose build's dist/): the merged
// factory image (as an image; its target flash settings from flasher_args.json),
// the flash arguments, each OTA-slot artifact against its slot, and efuse-plan.sh
// against ESP-IDF's secure features. fsys is rooted where dir is resolved.
func Dir(fsys fs.FS, dir string, opts ImageOptions) (*Report, error) {
	r := newReport(dir, inDir)
	read := func(name string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(dir, name)) }
	fa, err := readFlasherArgs(read)
	if err != nil {
		return nil, err
	}
	merged, err := fs.Glob(fsys, path.Join(dir, "*-factory.bin"))
	if err != nil || len(merged) != 1 {
		return nil, fmt.Errorf("%w: %s holds %d *-factory.bin files, want 1 (for a devices build, give dist/devices/<id>)", ErrNotABuild, dir, len(merged))
	}
	img, err := fs.ReadFile(fsys, merged[0])
	if err != nil {
		return nil, err
	}
	if opts.FlashMode == "" {
		opts.FlashMode = fa.FlashSettings["flash_mode"]
	}
	if opts.FlashSize == "" {
		opts.FlashSize = fa.FlashSettings["flash_size"]
	}
	var in *outputs.Inspection
	if len(opts.FlashKey) == 0 && fa.preEncrypted() {
		r.add(EncryptedNoKey, at{file: path.Base(merged[0])}, "%s holds pre-encrypted regions (flasher_args.json); without --key its image checks were skipped", path.Base(merged[0]))
	} else {
		if in, err = imageChecks(r, img, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", merged[0], err)
		}
		for i := range r.Findings {
			if r.Findings[i].File == "" {
				r.Findings[i].File = path.Base(merged[0])
			}
		}
	}
	r.Kind = inDir
	flashArgsKeep(r, fa, read)
	if err := otaArtifacts(r, read, in, opts); err != nil {
		return nil, err
	}
	if script, err := read("efuse-plan.sh"); err == nil {
		if err := efuseScript(r, script); err != nil {
			return nil, fmt.Errorf("%s: %w", path.Join(dir, "efuse-plan.sh"), err)
		}
	}
	return r.finish(), nil
}

func readFlasherArgs(read func(string) ([]byte, error)) (*flasherArgs, error) {
	b, err := read("flasher_args.json")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotABuild, err)
	}
	fa := &flasherArgs{}
	if err := json.Unmarshal(b, fa); err != nil {
		return nil, fmt.Errorf("flasher_args.json: %w", err)
	}
	if err := json.Unmarshal(b, &fa.raw); err != nil {
		return nil, fmt.Errorf("flasher_args.json: %w", err)
	}
	return fa, nil
}

// preEncrypted reports a region flasher_args.json marks pre_encrypted.
func (fa *flasherArgs) preEncrypted() bool {
	for _, v := range fa.raw {
		var f struct {
			PreEncrypted bool `json:"pre_encrypted"`
		}
		if json.Unmarshal(v, &f) == nil && f.PreEncrypted {
			return true
		}
	}
	return false
}

// flashArgsKeep: both flash argument files must keep the image headers as built.
func flashArgsKeep(r *Report, fa *flasherArgs, read func(string) ([]byte, error)) {
	need := []string{"--flash_mode", "--flash_freq", "--flash_size"}
	check := func(file string, args []string) {
		var loose []string
		for _, n := range need {
			i := slices.Index(args, n)
			if i < 0 || i+1 >= len(args) || args[i+1] != "keep" {
				loose = append(loose, n)
			}
		}
		if len(loose) > 0 {
			r.add(FlashArgsRewrite, at{file: file}, "%s does not pass %s keep: esptool write_flash will rewrite the bootloader header it was given", file, strings.Join(loose, "/"))
		}
	}
	check("flasher_args.json", fa.WriteFlashArgs)
	if b, err := read("flash_args"); err == nil {
		first, _, _ := strings.Cut(string(b), "\n")
		check("flash_args", strings.Fields(first))
	}
}

// otaArtifacts checks each slot artifact of ota/manifest.json against its slot.
func otaArtifacts(r *Report, read func(string) ([]byte, error), in *outputs.Inspection, opts ImageOptions) error {
	b, err := read("ota/manifest.json")
	if err != nil {
		return nil // no ota block
	}
	var m otaManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("ota/manifest.json: %w", err)
	}
	for _, s := range m.Slots {
		data, err := read(s.File)
		if err != nil {
			return fmt.Errorf("ota/manifest.json lists %s: %w", s.File, err)
		}
		off, err := strconv.ParseUint(strings.TrimPrefix(s.Offset, "0x"), 16, 32)
		if err != nil {
			return fmt.Errorf("ota/manifest.json: slot %s: offset %q: %w", s.Slot, s.Offset, err)
		}
		where := at{file: s.File, part: s.Slot}
		o := uint32(off)
		where.off = &o
		if in != nil {
			for _, p := range in.Partitions {
				if p.Name == s.Slot && uint32(len(data)) > p.Size {
					r.add(AppExceedsSlot, where, "OTA artifact %s is %d bytes; slot %q at %#x holds %d (%d bytes too many)", s.File, len(data), p.Name, p.Offset, p.Size, uint32(len(data))-p.Size)
				}
			}
		}
		if s.Encrypted && len(opts.FlashKey) == 0 {
			continue
		}
		a := uint32(off)
		rin, err := outputs.InspectRegion(data, outputs.RegionOptions{Chip: r.Chip, Address: &a, Kind: outputs.RegionApp, FlashKey: opts.FlashKey, CryptConfig: opts.CryptConfig})
		if err != nil {
			r.add(ReadBack, where, "OTA artifact %s for slot %q at %#x: %v", s.File, s.Slot, off, err)
			continue
		}
		p := rin.Partitions[0]
		for i, sig := range imageSigs(p) {
			if !sig.Valid {
				r.add(SignatureMismatch, where, "OTA artifact %s for slot %q: signature block %d (%s) is invalid: %s", s.File, s.Slot, i, sig.Scheme, sig.Problem)
			}
		}
		for _, f := range rin.Findings {
			if f.Code != outputs.CodeSignature {
				r.add(ReadBack, where, "OTA artifact %s: [%s] %s", s.File, f.Code, f.Message)
			}
		}
	}
	return nil
}

func imageSigs(p outputs.PartitionSummary) []outputs.SignatureSummary {
	if p.Image == nil {
		return nil
	}
	return p.Image.Signatures
}

// efuseScript compares efuse-plan.sh with ESP-IDF's secure features for its mode.
func efuseScript(r *Report, script []byte) error {
	plan, writes, err := outputs.ParseEfuseScript(script)
	if err != nil {
		return err
	}
	releaseGap(r, plan, writes, at{file: "efuse-plan.sh"})
	return nil
}

// releaseGap reports the secure features a plan's writes leave out.
func releaseGap(r *Report, plan *outputs.EfusePlan, writes []string, where at) {
	gap := plan.SecureFeatureGap(writes)
	mode := modeWords(plan)
	if len(gap.Missing) > 0 {
		r.add(ReleaseMissingFeature, where, "the %s eFuse plan for %s does not burn %s, which ESP-IDF burns in this mode", mode, plan.Chip, strings.Join(gap.Missing, ", "))
	}
	if len(gap.Weakened) > 0 {
		r.add(ReleaseWeakenedFeature, where, "the %s eFuse plan for %s leaves out %s", mode, plan.Chip, strings.Join(gap.Weakened, ", "))
	}
}

func modeWords(p *outputs.EfusePlan) string {
	var parts []string
	if fe := p.FlashEncryption; fe != nil {
		if fe.Release {
			parts = append(parts, "release-mode flash encryption")
		} else {
			parts = append(parts, "development-mode flash encryption")
		}
	}
	if p.SecureBoot != nil {
		parts = append(parts, fmt.Sprintf("Secure Boot V%d", p.SecureBoot.Version))
	}
	if len(parts) == 0 {
		return "no-security"
	}
	return strings.Join(parts, " + ")
}
