package outputs

import (
	"encoding/json"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Warm does ahead of time, on the caller's goroutine, what rendering the outputs
// builds on first use in a process: encoding/json's encoders for build.json's
// record and the SBOM's types (reflection over some hundred CycloneDX fields) and
// the report page's template. A build runs it on its spare core while the stages
// run, so the renderings after them do not pay for it; the files are the same with
// or without it.
func Warm() {
	_, _ = json.Marshal(Record{})
	_, _ = json.Marshal(&cdx.BOM{})
	_ = reportTmpl()
}
