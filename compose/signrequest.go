package compose

import (
	"context"

	"github.com/espcompose/espcompose/stages"
)

// SignRequests runs the stages that produce what is signed and returns every digest
// the build needs signed, for two-phase (offline) signing. With devices, identical
// digests (the shared app and bootloader) are listed once.
func (p *Project) SignRequests(ctx context.Context) ([]stages.DigestRequest, error) {
	var reqs []stages.DigestRequest
	seen := map[string]bool{}
	for _, c := range p.Configs {
		rs, err := c.signRequests(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen[r.Key+"/"+r.Hex] {
				seen[r.Key+"/"+r.Hex] = true
				reqs = append(reqs, r)
			}
		}
	}
	return reqs, nil
}

// signRequests runs the stages that produce what is signed, then asks each signing
// stage for its digests.
func (c *Configuration) signRequests(ctx context.Context) ([]stages.DigestRequest, error) {
	g := c.Plan.Graph
	var signIDs, need []string
	seen := map[string]bool{}
	for _, id := range g.IDs() {
		st, _ := g.Node(id)
		if _, ok := st.(stages.Requester); !ok {
			continue
		}
		signIDs = append(signIDs, id)
		dep := st.Deps()[0]
		for _, anc := range append(g.Ancestors(dep), dep) {
			if !seen[anc] {
				seen[anc] = true
				need = append(need, anc)
			}
		}
	}
	sub, err := g.Subgraph(need)
	if err != nil {
		return nil, err
	}
	res, err := c.runner.Run(ctx, sub)
	c.runner.Wait() // what ran is in the cache before SignRequests returns
	if err != nil {
		return nil, err
	}
	var reqs []stages.DigestRequest
	for _, id := range signIDs {
		st, _ := g.Node(id)
		rs, err := st.(stages.Requester).Requests(c.env, res.Artifacts[st.Deps()[0]].Data)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, rs...)
	}
	return reqs, nil
}
