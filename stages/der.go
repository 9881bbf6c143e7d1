package stages

import (
	"bytes"
	"encoding/asn1"
	"math/big"
)

// parseDER reads a P-256 ECDSA-Sig-Value in its one DER encoding: encoding/asn1
// alone would accept bytes after the two integers inside the SEQUENCE, and
// negative or zero integers, none of which a signer writes.
func parseDER(sig []byte) (*big.Int, *big.Int, error) {
	var v struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &v)
	if err != nil || len(rest) != 0 || v.R == nil || v.S == nil || v.R.Sign() <= 0 || v.S.Sign() <= 0 ||
		v.R.BitLen() > 256 || v.S.BitLen() > 256 {
		return nil, nil, errSigFormat
	}
	if canon, err := asn1.Marshal(v); err != nil || !bytes.Equal(canon, sig) {
		return nil, nil, errSigFormat
	}
	return v.R, v.S, nil
}
