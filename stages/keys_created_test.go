package stages

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
)

// With Created set, a created key file is reported (for the caller to make durable)
// and made as without it: 0600, exclusive, the bytes the key store hands out.
func TestFileKeysCreatedIsTold(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "d1.bin")
	var told []string
	k := &FileKeys{FS: afero.NewOsFs(), Rand: rand.Reader, Generate: GenerateKey, Validate: ValidateKey,
		Specs:   map[string]KeySpec{"nvs": {Name: "nvs", Algorithm: "nvs-xts", Path: path, Rel: "keys/d1.bin", Create: true}},
		Created: func(p string) error { told = append(told, p); return nil }}
	data, err := k.Secret("nvs")
	if err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || told[0] != path {
		t.Errorf("told %v, want %s", told, path)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(data) {
		t.Error("the key file does not hold the key handed out")
	}
	// A second store reads it, creating nothing.
	k2 := &FileKeys{FS: afero.NewOsFs(), Rand: rand.Reader, Generate: GenerateKey, Validate: ValidateKey, Specs: k.Specs,
		Created: func(p string) error { t.Errorf("created %s again", p); return nil }}
	if _, err := k2.Secret("nvs"); err != nil {
		t.Fatal(err)
	}
}
