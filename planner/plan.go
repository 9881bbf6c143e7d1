// Package planner turns an evaluated manifest into a flash layout and a DAG of build
// stages. It is where the device's rules live: where each region goes, what fills it,
// whether it is signed and flash-encrypted, and in which order those steps run.
//
// Layering: cmd → planner → manifest → graph → stages → outputs → format.
package planner

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/graph"
	"github.com/espcompose/espcompose/internal/logx"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// Options are the planner's inputs from outside the manifest.
type Options struct {
	FS  afero.Fs
	Log logx.Logger
	// SourceDateEpoch is SOURCE_DATE_EPOCH when set: the timestamp of FAT entries of a
	// filesystem block that asks for it (source_date_epoch = true).
	SourceDateEpoch *int64
}

// Plan is everything a build will do.
type Plan struct {
	Config  *manifest.Config
	Chip    *appimage.Chip
	Regions []*Region // flash map, in offset order (nested regions after their parent)
	Graph   *graph.Graph[stages.Stage]
	// Merged lists the merge stages (raw first).
	Merged []MergedOutput
	// OTA lists per-slot artifacts.
	OTA []OTASlot
	// Packages lists esp_encrypted_img packages for network delivery.
	Packages []OTAPackage
	// Sources maps source stage ids to the path shown to users.
	Sources map[string]string
	// Images are the decoded input images, by image name.
	Images map[string]*ImageInfo
	// Filesystems are the filesystem partitions, in partition order.
	Filesystems []*FilesystemInfo
}

// Region is one row of the flash map.
type Region struct {
	Name          string // bootloader, partition-table, or the partition name
	Kind          string // "bootloader", "partition-table", "secondary-table", "partition"
	Offset        uint32
	Size          uint32 // reserved size (partition size, table sector)
	Type          string // type/subtype as the table spells it
	Source        string // what fills it, for humans
	Encrypted     bool
	EncryptReason string
	Signed        bool
	Stage         string // stage producing the bytes written here; "" leaves it erased
	Depth         int
	File          string // dist/ file name
	Partition     *manifest.Partition
}

// MergedOutput is one merged image file.
type MergedOutput struct {
	File  string
	Stage string
}

// OTASlot is the artifact a device booting from one slot is updated with.
type OTASlot struct {
	OTA    string
	Slot   string
	Offset uint32
	Stage  string
	File   string
}

// OTAPackage is an encrypted OTA package of one ota block.
type OTAPackage struct {
	OTA      string
	Stage    string
	File     string
	Random   bool
	KeyStage string // source stage of the recipient public key, which picks the scheme
}

// ImageInfo is a decoded input image.
type ImageInfo struct {
	Name  string
	Path  string
	Size  int
	Image *appimage.Image
	Data  []byte
}

// planner accumulates state while planning.
type planner struct {
	opts  Options
	cfg   *manifest.Config
	plan  *Plan
	diags hcl.Diagnostics
	g     *graph.Graph[stages.Stage]

	sbChecked, sbOK bool
}

// New plans a build. Every problem found is returned as a diagnostic with the
// manifest range it is about.
func New(cfg *manifest.Config, opts Options) (*Plan, hcl.Diagnostics) {
	if opts.Log == nil {
		opts.Log = logx.Discard()
	}
	p := &planner{opts: opts, cfg: cfg, g: graph.New[stages.Stage]()}
	p.plan = &Plan{Config: cfg, Graph: p.g, Sources: map[string]string{}, Images: map[string]*ImageInfo{}}
	chip, err := appimage.LookupChip(cfg.Target.Chip)
	if err != nil {
		p.errorf(cfg.Target.Range, "Unsupported chip", "espcompose cannot build images for %q yet: %v.", cfg.Target.Chip, err)
		return nil, p.diags
	}
	p.plan.Chip = chip
	p.checkTarget()
	p.checkFlashEncryption()
	p.checkHardening()
	p.checkKeys()
	p.checkDerivedKeys()
	layout := p.layout()
	p.loadImages()
	p.checkFleet()
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	p.contents(layout)
	p.unusedFilesystems()
	p.unusedCerts()
	p.ota()
	p.merge()
	p.checkKeyFiles()
	if p.diags.HasErrors() {
		return nil, p.diags
	}
	sort.SliceStable(p.plan.Regions, func(i, j int) bool { return regionLess(p.plan.Regions[i], p.plan.Regions[j]) })
	return p.plan, p.diags
}

func regionLess(a, b *Region) bool {
	if a.Offset != b.Offset {
		return a.Offset < b.Offset
	}
	return a.Depth < b.Depth
}

func (p *planner) errorf(rng hcl.Range, summary, format string, args ...any) {
	p.diags = append(p.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng.Ptr(),
	})
}

func (p *planner) warnf(rng hcl.Range, summary, format string, args ...any) {
	p.diags = append(p.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng.Ptr(),
	})
}

// add puts a stage in the graph with edges to its dependencies.
func (p *planner) add(s stages.Stage) string {
	id := s.ID()
	if _, exists := p.g.Node(id); exists {
		return id
	}
	if err := p.g.Add(id, s); err != nil {
		panic(err) // ids are planner-made; a clash is a planner bug
	}
	for _, dep := range s.Deps() {
		if err := p.g.DependOn(id, dep); err != nil {
			panic(err)
		}
	}
	return id
}

// source adds a stage that reads a file; data, when not nil, is its already-read content.
func (p *planner) source(name, path string, data []byte) string {
	rel := p.rel(path)
	id := p.add(&stages.Source{Name: name, Path: path, Rel: rel, Data: data})
	p.plan.Sources[id] = rel
	return id
}

// rel shows a path relative to the manifest directory, so plans and build records
// do not depend on where the project is checked out.
func (p *planner) rel(path string) string {
	if r, err := filepath.Rel(p.cfg.Dir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}

func (p *planner) checkTarget() {
	t := p.cfg.Target
	if t.FlashFreq != "" {
		if _, err := p.plan.Chip.FlashFreqCode(t.FlashFreq); err != nil {
			var names []string
			for _, f := range p.plan.Chip.FlashFreqs {
				names = append(names, f.Name)
			}
			p.errorf(t.Range, "Invalid flash frequency", "%s does not support flash_freq %q; choose one of %v.", p.plan.Chip.Name, t.FlashFreq, names)
		}
	}
}
