package compose_test

import (
	"context"
	"fmt"
	"log"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
)

// Build the quickstart example without writing to disk: it is read from the
// repository, and the cache and dist/ go to memory layered on top.
func Example() {
	fs := afero.NewCopyOnWriteFs(afero.NewReadOnlyFs(afero.NewOsFs()), afero.NewMemMapFs())
	p, err := compose.Load(compose.Options{
		FS:       fs,
		Manifest: "../examples/quickstart/espcompose.hcl",
		Out:      "../examples/quickstart/dist",
		Vars:     map[string]string{"app_version": "1.0.0"},
	}, false)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	res, err := p.Build(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range p.Configs[0].Plan.Merged {
		fmt.Println(res.Out + "/" + m.File)
	}
	fmt.Println(len(res.Verify.Checks) > 0)
	// Output:
	// ../examples/quickstart/dist/quickstart-factory.bin
	// ../examples/quickstart/dist/quickstart-factory.hex
	// true
}
