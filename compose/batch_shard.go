package compose

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Shard picks a stable part of a batch: shard K of N (1 ≤ K ≤ N) holds the devices
// whose id hashes, sha256 taken as a number, to K-1 modulo N. The choice depends on
// the id alone, so adding rows to the devices file never moves a device to another
// shard, and shards 1..N of a batch cover each device exactly once. The zero Shard
// is the whole batch.
type Shard struct{ K, N int }

// ParseShard reads "K/N".
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	kk, err1 := strconv.Atoi(strings.TrimSpace(k))
	nn, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil || nn < 1 || kk < 1 || kk > nn {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 ≤ K ≤ N, e.g. 2/8", s)
	}
	return Shard{K: kk, N: nn}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// All reports whether s is the zero Shard: no sharding. (Shard 1/1 holds every
// device too, but is a shard: its tree records it, so it can be merged.)
func (s Shard) All() bool { return s.N == 0 }

// Has reports whether the device with this id belongs to s.
func (s Shard) Has(id string) bool {
	if s.N <= 1 {
		return true
	}
	sum := sha256.Sum256([]byte(id))
	return binary.BigEndian.Uint64(sum[:8])%uint64(s.N) == uint64(s.K-1)
}
