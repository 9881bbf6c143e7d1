package nvs

import (
	"fmt"
	"testing"
)

// TestParseIntFastPath checks parseInt's shortcut for plain digits against the
// general path on values at and around every type's bounds and on inputs the
// shortcut must leave alone.
func TestParseIntFastPath(t *testing.T) {
	inputs := []string{"", "-", "--1", "+5", " 5", "5 ", "1_000", "0x10", "٣", "0", "-0", "007", "-007",
		"999999999999999999", "-999999999999999999", "1000000000000000000", "-1000000000000000000",
		"9223372036854775807", "-9223372036854775808", "18446744073709551615", "18446744073709551616"}
	for _, typ := range []Type{U8, I8, U16, I16, U32, I32, U64, I64} {
		lo, hi := intBounds(typ)
		for _, v := range []int64{lo, lo - 1, lo + 1, -1, 0, 1} {
			inputs = append(inputs, fmt.Sprint(v))
		}
		for _, v := range []uint64{hi, hi - 1, hi + 1} {
			inputs = append(inputs, fmt.Sprint(v))
		}
	}
	for _, typ := range []Type{U8, I8, U16, I16, U32, I32, U64, I64} {
		for _, s := range inputs {
			got, gerr := parseInt("k", typ, s)
			want, werr := parseIntGeneral("k", typ, s)
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Errorf("%s %q: got %+v, %v; general path %+v, %v", typ, s, got, gerr, want, werr)
			}
		}
	}
}
