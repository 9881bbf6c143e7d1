package secureboot

import (
	"encoding/asn1"
	"fmt"
	"math/big"
)

type derSignature struct {
	R, S *big.Int
}

// parseDERSignature decodes an ASN.1 ECDSA-Sig-Value, refusing trailing bytes.
func parseDERSignature(der []byte) (r, s *big.Int, err error) {
	var sig derSignature
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 || sig.R == nil || sig.S == nil {
		return nil, nil, fmt.Errorf("%w: malformed DER ECDSA signature", ErrInvalidSignature)
	}
	return sig.R, sig.S, nil
}

func marshalDERSignature(r, s *big.Int) ([]byte, error) {
	if r.Sign() < 0 || s.Sign() < 0 {
		return nil, fmt.Errorf("%w: negative signature component", ErrInvalidSignature)
	}
	return asn1.Marshal(derSignature{R: r, S: s})
}
