//go:build amd64 && !purego

package flashenc

// haveAESNI reports whether the CPU has the AES-NI instructions (CPUID leaf
// 1, ECX bit 25); checked once, as crypto/aes does.
var haveAESNI = cpuHasAESNI()

func cpuHasAESNI() bool

// stdlibPerKey: without AES-NI the tables beat crypto/aes, which is then pure
// Go as well.
const stdlibPerKey = false

// aesniCrypt expands the AES-256 key into rk (15 round keys, which the caller
// wipes) and runs n 16-byte blocks at b in place: encryption, or with dec the
// inverse cipher, whose InvMixColumns round keys it derives with AESIMC.
//
//go:noescape
func aesniCrypt(key *[32]byte, rk *[240]byte, b *byte, n int, dec bool)
