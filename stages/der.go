package stages

import (
	"encoding/asn1"
	"math/big"
)

func parseDER(sig []byte) (*big.Int, *big.Int, error) {
	var v struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &v)
	if err != nil || len(rest) != 0 || v.R == nil || v.S == nil || v.R.BitLen() > 256 || v.S.BitLen() > 256 {
		return nil, nil, errSigFormat
	}
	return v.R, v.S, nil
}
