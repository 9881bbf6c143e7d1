package main

import "os"

// signerEnvVar names the variable through which a signer command finds espcompose:
// examples/remote-signing/tools/hsm-sign.sh runs "${ESPCOMPOSE:-espcompose}".
const signerEnvVar = "ESPCOMPOSE"

// executable finds this binary; a variable so the tests, whose binary is not the
// CLI, can name their stand-in.
var executable = os.Executable

// signerEnv is what external signer commands get on top of espcompose's own
// environment: ESPCOMPOSE naming this binary, unless the user set it. Under
// `go run` the binary lives in a temporary folder that is not on PATH, and an
// installed binary need not be on PATH either, so a signer that calls back into
// espcompose (sign-digest) must be told where it is.
func (a *app) signerEnv() []string {
	if a.getenv != nil && a.getenv(signerEnvVar) != "" {
		return nil
	}
	exe, err := executable()
	if err != nil || exe == "" {
		return nil
	}
	return []string{signerEnvVar + "=" + exe}
}
