//go:build !(amd64 || arm64 || ppc64 || ppc64le || s390x) || purego

package flashenc

// Without AES instructions anywhere, ESP32 mode uses the table AES.
const (
	haveAESNI    = false
	stdlibPerKey = false
)

func aesniCrypt(key *[32]byte, rk *[240]byte, b *byte, n int, dec bool) {
	panic("flashenc: aesniCrypt without AES-NI")
}
