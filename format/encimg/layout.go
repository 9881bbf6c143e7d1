package encimg

// Byte layout of the 512-byte header (esp_encrypted_img.h, esp_enc_img_gen.py).
// Integers are little-endian.
const (
	Magic uint32 = 0x0788b6cf // SHA-256("esp_encrypted_img") starts 07 88 b6 cf; stored little-endian: cf b6 88 07

	OffsetMagic    = 0   // 4 bytes
	OffsetKeyBlock = 4   // 384 bytes: RSA ciphertext, or ECIES server key + salt + zeros
	OffsetIV       = 388 // 16 bytes: AES-GCM nonce
	OffsetSize     = 404 // 4 bytes: payload (= plaintext) length
	OffsetTag      = 408 // 16 bytes: AES-GCM tag
	OffsetReserved = 424 // 88 bytes, written as zeros, ignored by readers
	HeaderSize     = 512 // payload (AES-GCM ciphertext, same length as the plaintext) starts here

	KeyBlockSize = 384
	IVSize       = 16
	TagSize      = 16
	ReservedSize = 88
	AESKeySize   = 32

	// ECIES-P256 view of the key block, offsets relative to the package start.
	OffsetServerKey     = 4   // 64 bytes: uncompressed P-256 point X||Y without the 0x04 prefix
	OffsetSalt          = 68  // 32 bytes: HKDF salt
	OffsetECIESReserved = 100 // 288 bytes of zeros
	ServerKeySize       = 64
	SaltSize            = 32
	ECIESReservedSize   = KeyBlockSize - ServerKeySize - SaltSize
	maxPayload          = 1<<32 - 1
	rsaModulusBytes     = KeyBlockSize
	hkdfInfoECIES       = "_esp_enc_img_ecc"
	pbkdf2Iterations    = 2048
)

// pbkdf2Salt is the fixed salt the device and the tool use to turn the eFuse
// HMAC key into the P-256 device scalar. A function, not a variable, so that
// nobody can change it.
func pbkdf2Salt() []byte {
	return []byte{
		0x0e, 0x21, 0x60, 0x64, 0x2d, 0xae, 0x76, 0xd3, 0x34, 0x48, 0xe4, 0x3d, 0x77, 0x20, 0x12, 0x3d,
		0x9f, 0x3b, 0x1e, 0xce, 0xb8, 0x8e, 0x57, 0x3a, 0x4e, 0x8f, 0x7f, 0xb9, 0x4f, 0xf0, 0xc8, 0x69,
	}
}
