package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sdkconfig holds Kconfig values by name without the CONFIG_ prefix: "y" for a set bool,
// "" for an unset one, decimal for numbers, raw text for strings.
type sdkconfig map[string]string

func (c sdkconfig) on(name string) bool { return c[name] == "y" }

// parseSDKConfigJSON reads build/config/sdkconfig.json, which ESP-IDF's confgen writes
// with names unprefixed and typed values (true/false, numbers, strings).
func parseSDKConfigJSON(b []byte, name string) (sdkconfig, error) {
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := sdkconfig{}
	for k, v := range raw {
		switch v := v.(type) {
		case bool:
			if v {
				c[k] = "y"
			} else {
				c[k] = ""
			}
		case float64:
			if v == math.Trunc(v) {
				c[k] = strconv.FormatInt(int64(v), 10)
			} else {
				c[k] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		case string:
			c[k] = v
		}
	}
	return c, nil
}

// parseSDKConfig reads the project's sdkconfig: CONFIG_X=y, CONFIG_X="text",
// CONFIG_X=123 or 0x1000, and "# CONFIG_X is not set".
func parseSDKConfig(b []byte, name string) (sdkconfig, error) {
	c := sdkconfig{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(s, "# CONFIG_"); ok {
			if n, ok := strings.CutSuffix(rest, " is not set"); ok {
				c[n] = ""
			}
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok || !strings.HasPrefix(k, "CONFIG_") {
			return nil, fmt.Errorf("%s:%d: expected CONFIG_NAME=value", name, line)
		}
		k = strings.TrimPrefix(k, "CONFIG_")
		if strings.HasPrefix(v, `"`) {
			u, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: bad string %s", name, line, k, v)
			}
			v = u
		} else if n, err := strconv.ParseInt(v, 0, 64); err == nil {
			v = strconv.FormatInt(n, 10)
		}
		c[k] = v
	}
	return c, sc.Err()
}
