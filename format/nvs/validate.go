package nvs

import (
	"fmt"
	"math"
)

func checkKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrKey)
	}
	if len(key) > MaxKeyLen {
		// Phrased like the reference tool so its users recognise it.
		return fmt.Errorf("%w: length of key `%s` should be <= 15 characters", ErrKey, key)
	}
	for i := 0; i < len(key); i++ {
		if key[i] == 0 {
			return fmt.Errorf("%w: key %q contains NUL", ErrKey, key)
		}
	}
	return nil
}

// intBounds gives the representable range of an integer type.
func intBounds(t Type) (min int64, max uint64) {
	bits := uint(t.width() * 8)
	if t.signed() {
		if bits == 64 {
			return math.MinInt64, math.MaxInt64
		}
		return -(1 << (bits - 1)), 1<<(bits-1) - 1
	}
	if bits == 64 {
		return 0, math.MaxUint64
	}
	return 0, 1<<bits - 1
}

func checkEntry(e *Entry, version int) error {
	if err := checkKey(e.Key); err != nil {
		return err
	}
	return checkValue(e, version)
}

// checkValue is checkEntry without the key.
func checkValue(e *Entry, version int) error {
	switch {
	case e.Type.IsInteger():
		lo, hi := intBounds(e.Type)
		if e.Type.signed() {
			if e.Int < lo || (e.Int > 0 && uint64(e.Int) > hi) {
				return fmt.Errorf("%w: key `%s`: %d does not fit %s", ErrRange, e.Key, e.Int, e.Type)
			}
		} else if e.Uint > hi {
			return fmt.Errorf("%w: key `%s`: %d does not fit %s", ErrRange, e.Key, e.Uint, e.Type)
		}
	case e.Type == String:
		limit := MaxStringV2
		if version == 1 {
			limit = MaxBlobV1
		}
		if n := len(e.Str) + 1; n > limit {
			return fmt.Errorf("%w: key `%s`: size (%d) exceeds max allowed length `%d` bytes", ErrTooLong, e.Key, n, limit)
		}
	case e.Type == Blob:
		limit := MaxBlobV2
		if version == 1 {
			limit = MaxBlobV1
		}
		if n := len(e.Blob); n > limit {
			return fmt.Errorf("%w: key `%s`: size (%d) exceeds max allowed length `%d` bytes", ErrTooLong, e.Key, n, limit)
		}
	default:
		return fmt.Errorf("%w: key `%s`: %s", ErrType, e.Key, e.Type)
	}
	return nil
}

// Validate checks the partition against the format's limits for a version.
func (p *Partition) Validate(version int) error {
	if version == 0 {
		version = 2
	}
	if version != 1 && version != 2 {
		return fmt.Errorf("%w: %d (want 1 or 2)", ErrVersion, version)
	}
	if len(p.Namespaces) > MaxNamespaces {
		return fmt.Errorf("%w: %d given", ErrTooManyNS, len(p.Namespaces))
	}
	seen := make(map[string]bool, len(p.Namespaces))
	for i := range p.Namespaces {
		ns := &p.Namespaces[i]
		if err := checkKey(ns.Name); err != nil {
			return fmt.Errorf("namespace: %w", err)
		}
		if seen[ns.Name] {
			return fmt.Errorf("%w: %q", ErrDuplicateNS, ns.Name)
		}
		seen[ns.Name] = true
		for j := range ns.Entries {
			if err := checkEntry(&ns.Entries[j], version); err != nil {
				return fmt.Errorf("namespace %q: %w", ns.Name, err)
			}
		}
	}
	return nil
}
