package main

// keyCases are the bad-input cases of `key` and `links`.
func keyCases() []badCase {
	return []badCase{
		{"key generate unknown algorithm", nil, argv("key generate --algorithm ecdsa-p192 out/k.pem"), 2, "espcompose: --algorithm: espcompose cannot generate \"ecdsa-p192\" keys (one of: aes-128, aes-192, aes-256, ecdsa-p256, ecdsa-p384, hmac, nvs-hmac, nvs-xts, rsa-3072, xts-aes-128, xts-aes-128-derived, xts-aes-256)"},
		{"key generate over a key", nil, argv("key generate --algorithm aes-256 key32.bin"), 2, "espcompose: key generate key32.bin: file exists; refusing to overwrite a key file"},
		{"key generate to stdout", nil, argv("key generate --algorithm aes-256 -"), 2, "espcompose: key generate: refusing to write key material to stdout"},
		{"key public of a public key", nil, argv("key public --key p256_pub.pem out/p.pem"), 2, "espcompose: --key p256_pub.pem: a public key; extracting a public key needs the private key"},
		{"key public bad version", nil, argv("key public --version 3 --key p256.pem out/p.pem"), 2, "espcompose: --version must be 1 or 2, not 3"},
		{"key public V1 of RSA", nil, argv("key public --version 1 --key rsa3072.pem out/p.bin"), 2, "espcompose: --key rsa3072.pem: secureboot: unsupported key type: Signing key uses incorrect curve. ESP32 Secure Boot only supports NIST256p (openssl calls this curve 'prime256v1')"},
		{"key bootloader-digest bad key", nil, argv("key bootloader-digest --key key31.bin boot.bin out/d.bin"), 2, "espcompose: --key key31.bin: secureboot: invalid hardware key: Key file contains wrong length (31 bytes), 16, 24 or 32 expected"},
		{"key bootloader-digest both IVs", nil, argv("key bootloader-digest --key key32.bin --iv key32.bin --random-iv boot.bin out/d.bin"), 2, "espcompose: --iv and --random-iv are mutually exclusive"},
		{"key bootloader-digest over its image", nil, argv("key bootloader-digest --key key32.bin boot.bin boot.bin"), 2, "espcompose: refusing to use boot.bin as an output file: it is also an input file; write the result to another file"},
		{"links into a file", nil, argv("links --target /opt/espcompose app.bin"), 2, "espcompose: links app.bin: not a folder"},
		{"links beside a foreign file", file("bin/esptool.py", "#!/bin/sh\n"), argv("links --target /opt/espcompose bin"), 2, "espcompose: links: not replacing bin/esptool.py (not links espcompose made); nothing created"},
	}
}
