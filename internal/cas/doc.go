// Package cas is a content-addressed cache for build stage outputs.
//
// SECURITY: the cache must never hold key material. Private signing keys,
// flash-encryption keys, HMAC/NVS keys and anything derived to be secret
// must not be passed to Put, and must not be embedded in the params given
// to Key either (Key's inputs are not stored, but hashing a low-entropy
// secret into a persisted cache key leaks a verifier). Objects are written
// with ordinary permissions, survive "clean" builds, and are meant to be
// shareable. Guarding this is the caller's job: stages that handle secrets
// must cache only their non-secret outputs (for example a signed image, never
// the key that signed it) or not cache at all.
//
// Layout under the root directory (for example ".espcompose/cache"):
//
//	objects/ab/abcdef…   one file per blob, named by the hex sha256 of its
//	                     content, sharded by the first two hex digits
//	entries/<key>.json   the record for one cache key: blob names with their
//	                     sha256 digest and size, sorted by name
//
// Blobs are deduplicated across keys. Put writes every object before the
// entry that references it, each via fsutil.WriteFileNoSync (temporary file,
// then rename), so a reader never sees an entry pointing at a half-written
// object. Nothing is flushed to disk: everything here can be made again, and
// Get re-hashes every blob it returns, so what a power loss leaves (an empty
// or missing file, an entry naming an object that never reached the disk) is
// reported as a miss with a warning, never as data, and the next Put repairs it.
// Nothing is ever deleted by this package.
package cas
