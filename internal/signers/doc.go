// Package signers implements the Secure Boot signing back-ends behind stages.Signer:
// a local PEM key, an external command, a PKCS#11 token and offline (two-phase)
// signing, plus Set, which resolves manifest key names.
//
// Every back-end signs the image DIGEST handed to it, never the image, because HSMs
// and signing services only ever see digests. Every signature is verified against the
// signer's public key before it is returned, so a misconfigured back-end fails at the
// key that caused it rather than as a bad image later.
//
// Constructors take their file system, environment lookup and process launcher
// explicitly; the package reads no globals.
package signers
