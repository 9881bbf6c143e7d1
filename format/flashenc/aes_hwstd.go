//go:build (arm64 || ppc64 || ppc64le || s390x) && !purego

package flashenc

// On these CPUs crypto/aes uses AES instructions and this package has no
// assembly of its own, so ESP32 mode keeps one aes.NewCipher per key.
const (
	haveAESNI    = false
	stdlibPerKey = true
)

func aesniCrypt(key *[32]byte, rk *[240]byte, b *byte, n int, dec bool) {
	panic("flashenc: aesniCrypt without AES-NI")
}
