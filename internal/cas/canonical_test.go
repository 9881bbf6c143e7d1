package cas

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// canonicalFast gives canonicalSlow's bytes for whatever encoding/json makes of any
// value: cache keys (and so every cached result) stay as they were.
func TestCanonicalFastMatchesSlow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "a", "b", "A", "key", "<", ">&", "\u2028", "é", "\x00", "\n\t\"\\", "\xff\xfe", "ufffd", "\\ufffd", "z\u00e9", "日本", "\U0001F600", "a\"b", "Key", "k"}
	pick := func() string {
		if r.IntN(3) == 0 {
			return strs[r.IntN(len(strs))] + strs[r.IntN(len(strs))]
		}
		return strs[r.IntN(len(strs))]
	}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(9); {
		case depth > 3 || k == 0:
			return pick()
		case k == 1:
			return []float64{r.Float64() * 1e30, -1e-9, 42, math.MaxInt64}[r.IntN(4)]
		case k == 2:
			return []any{true, false, nil, int64(-7), uint8(255)}[r.IntN(5)]
		case k == 3:
			return []byte(pick())
		case k == 4, k == 5:
			m := map[string]any{}
			for range r.IntN(6) {
				m[pick()] = gen(depth + 1)
			}
			return m
		case k == 6:
			s := make([]any, r.IntN(5))
			for i := range s {
				s[i] = gen(depth + 1)
			}
			return s
		default:
			return struct {
				Z    string         `json:"z"`
				A    any            `json:"a,omitempty"`
				M    map[string]int `json:"m"`
				Emb  []string
				Skip string `json:"-"`
			}{Z: pick(), A: gen(depth + 1), M: map[string]int{pick(): 1, pick(): 2}, Emb: []string{pick()}}
		}
	}
	fast := 0
	for i := range 20000 {
		v := gen(0)
		first, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := canonicalSlow(first)
		if err != nil {
			t.Fatal(err)
		}
		got, err := canonicalFast(first)
		if err == errSlowPath {
			continue
		}
		fast++
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("case %d: %s\nfast %s (%v)\nslow %s", i, first, got, err, want)
		}
	}
	if fast < 10000 {
		t.Fatalf("only %d of 20000 cases took the fast path", fast)
	}
}

func FuzzCanonicalFast(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[{"y":null,"x":"<"}]}`, `"\ufffd"`, `{"\u00e9":1,"e":2}`, `[1e21,-0.5]`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		first, err := json.Marshal(v)
		if err != nil {
			return
		}
		want, err := canonicalSlow(first)
		if err != nil {
			t.Fatal(err)
		}
		got, err := canonicalFast(first)
		if err == errSlowPath {
			if !strings.Contains(string(first), `\ufffd`) {
				t.Fatalf("slow path for %s", first)
			}
			return
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s: fast %s (%v), slow %s", first, got, err, want)
		}
	})
}
