package cas

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The golden values were computed independently (Python hashlib/json with
// sort_keys) from the encoding documented on Key, so they pin both the code
// and the documentation.
func TestKeyGolden(t *testing.T) {
	params := map[string]any{"b": 2, "a": []any{1, "x"}, "c": map[string]any{"z": true, "y": nil}}
	if got, want := Key("parttable", 3, params, "d1", "d2"),
		"589246f3bf8b435f72e91b78e619ad675b1b3ef0b0080f0a59270abe13e6e744"; got != want {
		t.Fatalf("Key = %s, want %s", got, want)
	}
	if got, want := Key("", 0, nil),
		"0cfaa72ac85e33713abb8ce72d8ffb775219037ee4f6249af6a476b38c0cd389"; got != want {
		t.Fatalf("Key(empty) = %s, want %s", got, want)
	}
}

func TestKeyIndependentOfMapOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	var first string
	for round := 0; round < 20; round++ {
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		m := make(map[string]any, len(keys))
		inner := make(map[string]int, 20)
		for _, k := range keys {
			if k < "k020" {
				inner[k] = int(k[len(k)-1]-'0') % 7
			}
		}
		for _, k := range keys {
			m[k] = map[string]any{"n": len(k), "inner": inner}
		}
		got := Key("nvs", 1, m, Digest([]byte("input")))
		if round == 0 {
			first = got
		} else if got != first {
			t.Fatalf("round %d: key %s differs from %s", round, got, first)
		}
	}
}

func TestKeyStructEqualsMap(t *testing.T) {
	type params struct {
		Size   int    `json:"size"`
		Align  int    `json:"align"`
		Target string `json:"target"`
	}
	a := Key("x", 1, params{Size: 4096, Align: 16, Target: "esp32"})
	b := Key("x", 1, map[string]any{"target": "esp32", "align": 16, "size": 4096})
	if a != b {
		t.Fatalf("struct key %s != map key %s", a, b)
	}
}

func TestKeySensitivity(t *testing.T) {
	base := Key("k", 1, map[string]int{"a": 1}, "d1", "d2")
	variants := map[string]string{
		"kind":         Key("j", 1, map[string]int{"a": 1}, "d1", "d2"),
		"version":      Key("k", 2, map[string]int{"a": 1}, "d1", "d2"),
		"params":       Key("k", 1, map[string]int{"a": 2}, "d1", "d2"),
		"input order":  Key("k", 1, map[string]int{"a": 1}, "d2", "d1"),
		"input split":  Key("k", 1, map[string]int{"a": 1}, "d1d2"),
		"fewer inputs": Key("k", 1, map[string]int{"a": 1}, "d1"),
	}
	for name, v := range variants {
		if v == base {
			t.Errorf("changing %s did not change the key", name)
		}
	}
	// Field boundaries are length-prefixed, so shifting bytes between
	// adjacent fields must change the key.
	if Key("ab", 1, nil, "c") == Key("a", 1, nil, "bc") {
		t.Error("kind/input boundary is ambiguous")
	}
	if !validHex(base) {
		t.Errorf("key %q is not 64 lowercase hex digits", base)
	}
}

func TestKeyPanicsOnUnencodableParams(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("expected panic for a channel in params")
		}
	}()
	Key("x", 1, map[string]any{"c": make(chan int)})
}

func BenchmarkKey(b *testing.B) {
	params := map[string]any{"target": "esp32s3", "size": 0x400000, "flags": []string{"a", "b", "c"}}
	d := Digest([]byte("input"))
	for b.Loop() {
		Key("merge", 1, params, d, d, d)
	}
}
