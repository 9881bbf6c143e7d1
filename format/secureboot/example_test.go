package secureboot_test

import (
	"fmt"
	"os"

	"github.com/espcompose/espcompose/format/secureboot"
)

// Signing with an external signer (HSM, cloud KMS): only the digest leaves the build,
// and the returned signature is verified before it is put into the signature sector.
func ExampleUnsigned_Assemble() {
	keyPEM, err := os.ReadFile("testdata/p256_sec1.pem")
	if err != nil {
		panic(err)
	}
	hsmKey, err := secureboot.ParsePrivateKeyPEM(keyPEM) // stands for the remote key
	if err != nil {
		panic(err)
	}
	pub := hsmKey.Public()

	image := make([]byte, 10000)
	u, err := secureboot.PrepareV2(image, secureboot.PrepareOptions{})
	if err != nil {
		panic(err)
	}
	digest := u.Digest(pub.Scheme)
	signature, err := secureboot.SignDigest(hsmKey, digest, nil) // done remotely
	if err != nil {
		panic(err)
	}
	block, err := secureboot.NewSignatureBlock(pub, digest, signature)
	if err != nil {
		panic(err)
	}
	signed, err := u.Assemble(block)
	if err != nil {
		panic(err)
	}
	status, err := secureboot.VerifyV2(signed, pub)
	fmt.Println(len(signed), status[0].Verified, err)
	// Output: 16384 true <nil>
}
