//go:build !amd64 || purego

package flashenc

// Without AES-NI code for this architecture, ESP32 mode uses the table AES.
const haveAESNI = false

func aesniCrypt(key *[32]byte, rk *[240]byte, b *byte, n int, dec bool) {
	panic("flashenc: aesniCrypt without AES-NI")
}
