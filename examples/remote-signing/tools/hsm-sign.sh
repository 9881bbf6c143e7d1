#!/bin/sh
# Stands in for a hardware security module or a signing service: it receives the image
# digest (never the image) and returns the signature. Replace it with your HSM's client.
# Here it signs with hsm/release_signing_key.pem, which in real life never leaves the HSM.
# espcompose runs its signer commands with ESPCOMPOSE set to its own executable (unless
# you set it), so this works under `go run` and without espcompose on PATH.
set -eu
exec "${ESPCOMPOSE:-espcompose}" sign-digest --key hsm/release_signing_key.pem "$1" "$2"
