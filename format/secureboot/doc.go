// Package secureboot implements the ESP32-family Secure Boot formats byte-exact with
// espsecure.py 4.8.1: key digests and public-key extraction, Secure Boot V1 signing
// and verification (ECDSA P-256, RFC 6979), the V1 reflashable-bootloader digest, and
// Secure Boot V2 signature sectors (RSA-3072 PSS and ECDSA P-192/P-256/P-384) built from
// private keys, from pre-calculated signatures or from an external signer.
//
// Signing is deterministic by default so that release builds are reproducible: ECDSA
// uses RFC 6979 nonces and RSA-PSS uses a salt derived from the key and the digest.
// Passing a random source in [SignOptions] restores fresh randomness.
//
// P-192 is not in Go's standard library; it is implemented here on a generic
// short-Weierstrass curve over math/big. That arithmetic is not constant time: it is
// safe for verification, but signing with a P-192 key may leak timing information
// about the private key to a local observer. P-256 and P-384 signing uses crypto/ecdsa.
//
// The package works on bytes only: it reads no files and knows nothing of manifests.
package secureboot
