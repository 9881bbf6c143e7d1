// Package encimg reads and writes the pre-encrypted OTA package of
// Espressif's esp_encrypted_img component (idf-extra-components, tool
// esp_enc_img_gen.py; format unchanged from component 1.0 to 2.7.1), which
// lets firmware travel without plaintext and be decrypted on the device.
//
// A package is a 512-byte header followed by the AES-256-GCM ciphertext of
// the image (same length as the image; integers little-endian):
//
//	0x000   4  magic 0x0788b6cf (bytes cf b6 88 07)
//	0x004 384  key block
//	           RSA-3072:   RSAES-PKCS1-v1_5 encryption of the 32-byte AES key
//	           ECIES-P256: server ephemeral public key X||Y (64), HKDF salt (32), zeros (288)
//	0x184  16  AES-GCM IV (a 16-byte GCM nonce, not the usual 12)
//	0x194   4  payload length
//	0x198  16  AES-GCM tag (no additional authenticated data)
//	0x1a8  88  reserved, zeros
//	0x200   …  ciphertext
//
// The RSA padding is PKCS#1 v1.5, not OAEP, in every version of the tool and
// of the device code. ECIES (component 2.4.0+): AES key =
// HKDF-SHA256(ikm = ECDH x-coordinate, salt, info "_esp_enc_img_ecc", 32),
// the device scalar being PBKDF2-HMAC-SHA256(eFuse HMAC key, fixed salt,
// 2048 iterations); see DeviceKey. Nothing in the header says which scheme
// was used; the device is built for one, and callers pick Decrypt or
// DecryptECIES (Header.LooksECIES can guess).
//
// Output is deterministic by default, keyed by a caller secret; see Options.
package encimg
