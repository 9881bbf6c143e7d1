package signers_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/afero"

	"github.com/espcompose/espcompose/format/secureboot"
	"github.com/espcompose/espcompose/internal/signers"
)

// Two-phase signing: the first build reports the digest the signing service must
// sign; once its signature is stored under that name, the build completes.
func Example_offline() {
	fs := afero.NewCopyOnWriteFs(afero.NewReadOnlyFs(afero.NewBasePathFs(afero.NewOsFs(), "testdata")), afero.NewMemMapFs())
	_ = fs.MkdirAll("returned", 0o755)
	off, _ := signers.NewOffline(fs, "release", "returned", "p256.pub.pem")
	set := signers.Set{"release": off}

	u, _ := secureboot.PrepareV2([]byte("an app image"), secureboot.PrepareOptions{})
	digest := u.Digest(secureboot.SchemeECDSAP256)
	s, _ := set.Signer("release")
	_, err := s.SignDigest(context.Background(), digest)
	var missing *signers.MissingSignatureError
	fmt.Println(errors.As(err, &missing), missing.File == "returned/"+signers.SignatureFile(digest))

	// The signing service (here a local key) answers with a raw signature.
	svc, _ := signers.NewLocal(fs, "release", "p256.pem", nil)
	sig, _ := svc.SignDigest(context.Background(), digest)
	_ = afero.WriteFile(fs, missing.File, sig, 0o644)

	sig, err = s.SignDigest(context.Background(), digest)
	fmt.Println(len(sig), err)
	// Output:
	// true true
	// 64 <nil>
}
