package compose

import (
	"context"
	"os"
	"testing"

	"github.com/spf13/afero"
)

func TestZZProf(t *testing.T) {
	dir := os.Getenv("PROF_DIR")
	if dir == "" {
		t.Skip()
	}
	os.RemoveAll(dir + "/dist")
	os.RemoveAll(dir + "/.espcompose")
	res, err := RunBatch(context.Background(), Options{FS: afero.NewOsFs(), Manifest: dir + "/espcompose.hcl", Out: dir + "/dist"}, BatchOptions{Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Built)
}
