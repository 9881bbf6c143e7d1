// Package flashenc encrypts and decrypts ESP32-family flash contents the way the
// chips' transparent flash encryption does, byte-exact with
// `espsecure.py encrypt_flash_data` / `decrypt_flash_data` (esptool 4.8.1).
//
// Two hardware schemes exist:
//
//   - ESP32AES (ESP32 only): AES-256 in ECB-like use where every 32-byte block of
//     flash gets its own key, the flash key XORed with a pattern derived from the
//     block's address (masked by the FLASH_CRYPT_CONFIG efuse). The hardware runs
//     AES backwards: "encrypting" flash is an AES decryption. Each 16-byte block
//     is byte-reversed before and after the AES operation.
//   - XTS-AES-128 / XTS-AES-256 (all later chips): IEEE P1619 XTS over 128-byte
//     data units, the tweak being the unit's flash address; each data unit is
//     byte-reversed before and after the operation.
//
// Key files follow espsecure's rules: a 16-byte key is replaced by its SHA-256
// (the ESP32-C2 "derived" key), a 24-byte key k becomes k || k[8:16] (ESP32 3/4
// coding scheme), 32 and 64 bytes are used as they are.
//
// The package knows nothing of files: callers pass key and data as []byte.
package flashenc
