package stages

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
)

// pipelinedHash hashes a buffer that is being written front to back, on its own
// goroutine: upTo hands it the buffer so far (its bytes final), close returns the
// SHA-256 of the last buffer handed over, as hex.
type pipelinedHash struct {
	next chan []byte
	done chan string
}

func newPipelinedHash() *pipelinedHash {
	p := &pipelinedHash{next: make(chan []byte, 64), done: make(chan string, 1)}
	go func() {
		var h hash.Hash = sha256.New()
		hashed := 0
		for b := range p.next {
			h.Write(b[hashed:])
			hashed = len(b)
		}
		p.done <- hex.EncodeToString(h.Sum(nil))
	}()
	return p
}

// upTo hands over the buffer so far; each call's buffer extends the previous one.
func (p *pipelinedHash) upTo(sofar []byte) { p.next <- sofar }

func (p *pipelinedHash) close() string {
	close(p.next)
	return <-p.done
}
