package main

import (
	"github.com/espcompose/espcompose/internal/signers"
	"github.com/espcompose/espcompose/manifest"
	"github.com/espcompose/espcompose/stages"
)

func newPKCS11Signer(k *manifest.Key, getenv func(string) string) (stages.Signer, error) {
	return signers.NewPKCS11(signers.PKCS11Config{
		Name: k.Name, Module: k.PKCS11.Module, Token: k.PKCS11.Token, Label: k.PKCS11.Label,
		PinEnv: k.PKCS11.PinEnv, Getenv: getenv,
	})
}
