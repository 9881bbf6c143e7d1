package compose

import (
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

// newPKCS11Signer opens a token key. A PKCS#11 module may be initialised once per
// process, so all signers of a run share mods.
func newPKCS11Signer(k *manifest.Key, getenv func(string) string, mods *signers.Modules) (stages.Signer, error) {
	return signers.NewPKCS11(signers.PKCS11Config{
		Name: k.Name, Module: k.PKCS11.Module, Token: k.PKCS11.Token, Label: k.PKCS11.Label,
		PinEnv: k.PKCS11.PinEnv, Getenv: getenv, Modules: mods,
	})
}
