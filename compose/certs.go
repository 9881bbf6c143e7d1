package compose

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"

	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/planner"
	"github.com/espcompose/espcompose/stages"
)

// checkCertCAs refuses, as bad input on the ca_key line, a cert block whose CA key is
// not the key of its CA certificate: every certificate it issued would fail to verify.
// A signer whose public key cannot be had yet (offline signing) is checked when the
// certificate is signed.
func checkCertCAs(cfg *manifest.Config, plan *planner.Plan, set signers.Set) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range cfg.Certs {
		node, ok := plan.Graph.Node("cert:" + c.Name)
		if !ok {
			continue
		}
		st := node.(*stages.Cert)
		s, ok := set[c.CAKey.Name]
		if !ok {
			continue
		}
		cs, err := stages.NewCASigner(context.Background(), s)
		if err != nil {
			if _, pending := s.(*pendingSigner); pending {
				continue
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "CA key cannot sign certificates",
				Detail: fmt.Sprintf("cert %q: key.%s: %v.", c.Name, c.CAKey.Name, err), Subject: c.CAKeyRange.Ptr()})
			continue
		}
		ca, err := x509.ParseCertificate(st.CACert)
		if err != nil {
			continue // the planner has reported it
		}
		if err := stages.CheckCAKey(ca, cs.Public()); err != nil {
			rel, rerr := filepath.Rel(cfg.Dir, c.CACert)
			if rerr != nil {
				rel = c.CACert
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "CA key does not match the CA certificate",
				Detail: fmt.Sprintf("cert %q: key.%s is not the key of %s: %v.", c.Name, c.CAKey.Name, rel, err), Subject: c.CAKeyRange.Ptr()})
		}
	}
	return diags
}
