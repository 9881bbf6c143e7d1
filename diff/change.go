package diff

// Severity says what a change means for devices already in the field.
type Severity string

const (
	// Info is an expected part of a release (a new app, new factory data).
	Info Severity = "info"
	// Warning needs a look: it reaches only newly flashed devices, or changes what
	// provisioning does.
	Warning Severity = "warning"
	// Breaking is what a fielded fleet cannot take by OTA, or loses data over.
	Breaking Severity = "breaking"
)

// rank orders severities, most severe first.
func (s Severity) rank() int {
	switch s {
	case Breaking:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Change is one difference between two releases.
type Change struct {
	// Kind is what changed, e.g. "partition.moved"; docs/diff.md lists every kind.
	Kind string `json:"kind"`
	// Subject is what it changed in: a partition, region, NVS key, key or eFuse step.
	Subject string `json:"subject"`
	// Before and After are the values in A and B ("" when absent there).
	Before string `json:"before"`
	After  string `json:"after"`
	// Severity is info, warning or breaking.
	Severity Severity `json:"severity"`
	// Why says in a sentence what it means for the fleet.
	Why string `json:"why"`
}

// Counts is how many changes there are of each severity.
type Counts struct {
	Breaking int `json:"breaking"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
}

// Count tallies changes by severity.
func Count(changes []Change) Counts {
	var c Counts
	for _, ch := range changes {
		switch ch.Severity {
		case Breaking:
			c.Breaking++
		case Warning:
			c.Warning++
		default:
			c.Info++
		}
	}
	return c
}

// Kinds lists every Change.Kind Compare reports, in report order; docs/diff.md
// documents each one (a test checks both).
var Kinds = []string{
	"target.changed",
	"table.removed", "table.moved", "table.added",
	"partition.removed", "partition.moved", "partition.resized", "partition.retyped", "partition.flags", "partition.added",
	"region.contents",
	"app.project", "app.version", "app.secure_version", "app.elf_sha256", "app.idf_version", "app.too_large",
	"nvs.removed", "nvs.changed", "nvs.added",
	"key.removed", "key.changed", "key.added",
	"flash_encryption.enabled", "flash_encryption.disabled", "flash_encryption.scheme", "flash_encryption.key",
	"secure_boot.changed", "secure_boot.digest_removed", "secure_boot.slot_reused", "secure_boot.digest_added",
	"efuse.step_removed", "efuse.step_changed", "efuse.step_added",
}
