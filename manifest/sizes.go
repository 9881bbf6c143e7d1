package manifest

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// ParseSize reads "4MB", "56K", "1856K", "0x1000", "4096" as a byte count. It is the
// one place sizes and offsets are spelled, shared by the manifest and the CLI.
func ParseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty size")
	}
	mult := uint64(1)
	upper := strings.ToUpper(t)
	switch {
	case strings.HasSuffix(upper, "KB"), strings.HasSuffix(upper, "K"):
		mult = 1 << 10
	case strings.HasSuffix(upper, "MB"), strings.HasSuffix(upper, "M"):
		mult = 1 << 20
	}
	if mult != 1 && !strings.HasPrefix(upper, "0X") {
		t = strings.TrimRight(t, "kKmMbB")
	}
	n, err := strconv.ParseUint(t, 0, 64)
	if err != nil || (mult != 1 && strings.HasPrefix(upper, "0X")) {
		return 0, fmt.Errorf("%q is not a size: use bytes (4096), hex (0x1000) or a K/M suffix (64K, 4MB)", s)
	}
	if n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}

// sizeValue converts a number or size string to a byte count.
func sizeValue(v cty.Value) (uint64, error) {
	switch {
	case v.IsNull():
		return 0, fmt.Errorf("a size is required")
	case v.Type() == cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() || bf.Sign() < 0 {
			return 0, fmt.Errorf("%s is not a whole, non-negative number", bf.Text('f', -1))
		}
		i, _ := bf.Int(new(big.Int))
		if !i.IsUint64() || i.Uint64() > 1<<40 {
			return 0, fmt.Errorf("%s is too large", i)
		}
		return i.Uint64(), nil
	case v.Type() == cty.String:
		return ParseSize(v.AsString())
	}
	return 0, fmt.Errorf("expected a number or a size string, got %s", v.Type().FriendlyName())
}

// FlashSizeName spells a flash size as esptool does ("4MB", "512KB").
func FlashSizeName(n uint64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%dMB", n>>20)
	}
	return fmt.Sprintf("%dKB", n>>10)
}
