package flashenc_test

import (
	"fmt"

	"github.com/espcompose/espcompose/format/flashenc"
)

func Example() {
	key := make([]byte, 32) // contents of the flash encryption key file
	scheme, err := flashenc.SchemeFor("esp32c3", len(key))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := flashenc.NewCipher(key, flashenc.Options{Scheme: scheme})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	app := make([]byte, 4096)
	if err := c.EncryptAt(app, app, 0x10000); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(scheme)

	_, err = flashenc.SchemeFor("esp32c3", 64)
	fmt.Println(err)
	// Output:
	// XTS-AES-128
	// flashenc: wrong key length: esp32c3 key has wrong length (64 bytes), 32 expected
}
