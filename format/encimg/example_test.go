package encimg_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"github.com/espcompose/espcompose/format/encimg"
)

func Example() {
	priv, _ := rsa.GenerateKey(rand.Reader, 3072) // the device's key; only the public half is needed to build
	firmware := []byte("app image bytes")

	// Deterministic: same firmware, key and secret give the same package.
	pkg, err := encimg.Encrypt(firmware, &priv.PublicKey, encimg.Options{Secret: []byte("per-project build secret")})
	if err != nil {
		panic(err)
	}
	h, _ := encimg.ParseHeader(pkg)
	fmt.Println(len(pkg), h.Size, h.PackageSize())

	plain, err := encimg.Decrypt(pkg, priv)
	fmt.Println(string(plain), err)
	// Output:
	// 527 15 527
	// app image bytes <nil>
}
