package secureboot

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"math/big"
)

type derSignature struct {
	R, S *big.Int
}

// parseDERSignature decodes an ASN.1 ECDSA-Sig-Value in its one DER encoding.
// encoding/asn1 alone would let bytes through after the two integers inside the
// SEQUENCE and negative integers; a signature file carrying either is not what a
// signer wrote, and Espressif's tool (strict DER) refuses it too.
func parseDERSignature(der []byte) (r, s *big.Int, err error) {
	var sig derSignature
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 || sig.R == nil || sig.S == nil || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
		return nil, nil, fmt.Errorf("%w: malformed DER ECDSA signature", ErrInvalidSignature)
	}
	if canon, err := asn1.Marshal(sig); err != nil || !bytes.Equal(canon, der) {
		return nil, nil, fmt.Errorf("%w: malformed DER ECDSA signature (not in DER form)", ErrInvalidSignature)
	}
	return sig.R, sig.S, nil
}

func marshalDERSignature(r, s *big.Int) ([]byte, error) {
	if r.Sign() < 0 || s.Sign() < 0 {
		return nil, fmt.Errorf("%w: negative signature component", ErrInvalidSignature)
	}
	return asn1.Marshal(derSignature{R: r, S: s})
}
