package compose_test

import (
	"context"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/compose"
	"github.com/espcompose/espcompose/internal/signers"
)

// Two-phase signing through the library: a key with only a public key cannot sign
// (a *UsageError telling what to do), SignRequests lists its digests, and a Build with
// the returned signatures publishes what the signer command would have produced.
func TestTwoPhaseSigning(t *testing.T) {
	fs, mf := memExample(t, "remote-signing")
	dir := path.Dir(mf)
	src, err := afero.ReadFile(fs, mf)
	if err != nil {
		t.Fatal(err)
	}
	offline := strings.Replace(string(src), `  signer     = ["sh", "tools/hsm-sign.sh", "{digest_file}", "{signature_file}"]`+"\n", "", 1)
	if offline == string(src) {
		t.Fatal("the example's signer line moved; update the test")
	}
	if err := afero.WriteFile(fs, mf, []byte(offline), 0o644); err != nil {
		t.Fatal(err)
	}
	dist := path.Join(dir, "dist")
	ctx := context.Background()

	p, err := compose.Load(compose.Options{FS: fs, Manifest: mf, Out: dist}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Build(ctx)
	p.Close()
	var ue *compose.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `key "release" has only a public key`) {
		t.Fatalf("build without signatures: %v", err)
	}
	if ok, _ := afero.Exists(fs, dist); ok {
		t.Fatal("a failed build published")
	}

	// sign-request: no output tree, only the digests.
	p, err = compose.Load(compose.Options{FS: fs, Manifest: mf}, false)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := p.SignRequests(ctx)
	p.Close()
	if err != nil || len(reqs) == 0 {
		t.Fatalf("SignRequests: %d requests, %v", len(reqs), err)
	}
	// The signing service: the HSM's key, which the manifest never names.
	keyPEM, err := afero.ReadFile(fs, path.Join(dir, "hsm", "release_signing_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	hsm, err := signers.NewLocalPEM("release", keyPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	sigDir := "/signed"
	for _, r := range reqs {
		if r.Key != "release" {
			t.Errorf("request for key %q", r.Key)
		}
		sig, err := hsm.SignDigest(ctx, r.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if err := afero.WriteFile(fs, path.Join(sigDir, r.File), sig, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	p, err = compose.Load(compose.Options{FS: fs, Manifest: mf, Out: dist, Signatures: sigDir, ToolVersion: "compose-test"}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Build(ctx); err != nil {
		t.Fatal(err)
	}
	// The same signatures as the example's signer command: every image matches the
	// golden list; build.json records the manifest, which this test edited.
	want := golden(t, "remote-signing")
	delete(want, "build.json")
	checkPublished(t, fs, dist, want, "")
}
