// Package uf2 writes and reads UF2 files (https://github.com/microsoft/uf2) the way
// esptool 4.8.1 merge_bin --format uf2 writes them: 512-byte blocks carrying the
// family id flag and, by default, an MD5 checksum extension; every input file gets
// its own block numbering starting at 0.
package uf2

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
)

// Block layout constants.
const (
	BlockSize   = 512
	headerLen   = 32
	dataArea    = 476 // bytes between the header and the final magic
	md5PartLen  = 24  // address, length, 16-byte MD5
	MagicStart0 = 0x0A324655
	MagicStart1 = 0x9E5D5157
	MagicEnd    = 0x0AB16F30

	FlagNotMainFlash     = 0x00000001
	FlagFileContainer    = 0x00001000
	FlagFamilyIDPresent  = 0x00002000
	FlagMD5Present       = 0x00004000
	FlagExtensionPresent = 0x00008000

	// DefaultChunkSize is esptool's payload per block with MD5 enabled.
	DefaultChunkSize = dataArea - md5PartLen
)

// Sentinel errors.
var (
	ErrChunkSize = errors.New("uf2: invalid chunk size")
	ErrBadBlock  = errors.New("uf2: invalid block")
	ErrMD5       = errors.New("uf2: MD5 mismatch")
)

// File is one input placed at Addr; esptool writes each as its own block sequence.
type File struct {
	Addr uint32
	Data []byte
}

// Options control Encode. The zero value is esptool's default: MD5 on, the
// largest chunk that fits.
type Options struct {
	FamilyID   uint32
	ChunkSize  int  // payload bytes per block; 0 picks the largest possible
	DisableMD5 bool // esptool --md5-disable
}

func (o Options) chunkSize() (int, error) {
	limit := dataArea
	if !o.DisableMD5 {
		limit -= md5PartLen
	}
	if o.ChunkSize == 0 {
		return limit, nil
	}
	if o.ChunkSize < 0 || o.ChunkSize%4 != 0 || o.ChunkSize > limit {
		return 0, fmt.Errorf("%w: %d (must be a positive multiple of 4, at most %d)", ErrChunkSize, o.ChunkSize, limit)
	}
	return o.ChunkSize, nil
}

// Encode writes files in the order given.
func Encode(opts Options, files ...File) ([]byte, error) {
	chunk, err := opts.chunkSize()
	if err != nil {
		return nil, err
	}
	flags := uint32(FlagFamilyIDPresent)
	if !opts.DisableMD5 {
		flags |= FlagMD5Present
	}
	total := 0
	for _, f := range files {
		if uint64(f.Addr)+uint64(len(f.Data)) > 1<<32 {
			return nil, fmt.Errorf("%w: file at 0x%x of %d bytes passes 4 GiB", ErrBadBlock, f.Addr, len(f.Data))
		}
		total += (len(f.Data) + chunk - 1) / chunk
	}
	out := make([]byte, 0, total*BlockSize)
	for _, f := range files {
		n := (len(f.Data) + chunk - 1) / chunk
		for i := 0; i < n; i++ {
			payload := f.Data[i*chunk : min(len(f.Data), (i+1)*chunk)]
			out = appendBlock(out, Block{
				Flags:     flags,
				Addr:      f.Addr + uint32(i*chunk),
				BlockNo:   uint32(i),
				NumBlocks: uint32(n),
				FamilyID:  opts.FamilyID,
				Data:      payload,
			})
		}
	}
	return out, nil
}

// Block is one decoded 512-byte block.
type Block struct {
	Flags     uint32
	Addr      uint32
	BlockNo   uint32
	NumBlocks uint32
	FamilyID  uint32 // or file size when FlagFamilyIDPresent is clear
	Data      []byte
}

func appendBlock(out []byte, b Block) []byte {
	start := len(out)
	out = append(out, make([]byte, BlockSize)...)
	blk := out[start:]
	le := binary.LittleEndian
	le.PutUint32(blk[0:], MagicStart0)
	le.PutUint32(blk[4:], MagicStart1)
	le.PutUint32(blk[8:], b.Flags)
	le.PutUint32(blk[12:], b.Addr)
	le.PutUint32(blk[16:], uint32(len(b.Data)))
	le.PutUint32(blk[20:], b.BlockNo)
	le.PutUint32(blk[24:], b.NumBlocks)
	le.PutUint32(blk[28:], b.FamilyID)
	copy(blk[headerLen:], b.Data)
	if b.Flags&FlagMD5Present != 0 {
		m := blk[headerLen+len(b.Data):]
		le.PutUint32(m[0:], b.Addr)
		le.PutUint32(m[4:], uint32(len(b.Data)))
		sum := md5.Sum(b.Data)
		copy(m[8:], sum[:])
	}
	le.PutUint32(blk[BlockSize-4:], MagicEnd)
	return out
}

// Decode splits b into blocks, checking magics, sizes and, where present, the
// MD5 extension (which must describe the block's own address and payload).
func Decode(b []byte) ([]Block, error) {
	if len(b)%BlockSize != 0 {
		return nil, fmt.Errorf("%w: length %d is not a multiple of %d", ErrBadBlock, len(b), BlockSize)
	}
	le := binary.LittleEndian
	blocks := make([]Block, 0, len(b)/BlockSize)
	for off := 0; off < len(b); off += BlockSize {
		blk := b[off : off+BlockSize]
		if le.Uint32(blk[0:]) != MagicStart0 || le.Uint32(blk[4:]) != MagicStart1 || le.Uint32(blk[BlockSize-4:]) != MagicEnd {
			return nil, fmt.Errorf("%w: bad magic in block at byte offset %d", ErrBadBlock, off)
		}
		bl := Block{
			Flags:     le.Uint32(blk[8:]),
			Addr:      le.Uint32(blk[12:]),
			BlockNo:   le.Uint32(blk[20:]),
			NumBlocks: le.Uint32(blk[24:]),
			FamilyID:  le.Uint32(blk[28:]),
		}
		size := le.Uint32(blk[16:])
		limit := uint32(dataArea)
		if bl.Flags&FlagMD5Present != 0 {
			limit -= md5PartLen
		}
		if size > limit {
			return nil, fmt.Errorf("%w: payload size %d too large in block at byte offset %d", ErrBadBlock, size, off)
		}
		if bl.BlockNo >= bl.NumBlocks {
			return nil, fmt.Errorf("%w: block number %d of %d at byte offset %d", ErrBadBlock, bl.BlockNo, bl.NumBlocks, off)
		}
		bl.Data = blk[headerLen : headerLen+size]
		if bl.Flags&FlagMD5Present != 0 {
			m := blk[headerLen+size:]
			sum := md5.Sum(bl.Data)
			if le.Uint32(m[0:]) != bl.Addr || le.Uint32(m[4:]) != size || [16]byte(m[8:24]) != sum {
				return nil, fmt.Errorf("%w: block at byte offset %d", ErrMD5, off)
			}
		}
		blocks = append(blocks, bl)
	}
	return blocks, nil
}

// Files regroups blocks into the files they were written from: a file is a run of
// blocks numbered 0..NumBlocks-1 whose payloads follow each other in memory.
func Files(blocks []Block) ([]File, error) {
	var out []File
	for i := 0; i < len(blocks); {
		first := blocks[i]
		if first.BlockNo != 0 {
			return nil, fmt.Errorf("%w: block %d starts a sequence with number %d", ErrBadBlock, i, first.BlockNo)
		}
		n := int(first.NumBlocks)
		if i+n > len(blocks) {
			return nil, fmt.Errorf("%w: sequence at block %d wants %d blocks, only %d left", ErrBadBlock, i, n, len(blocks)-i)
		}
		f := File{Addr: first.Addr}
		next := uint64(first.Addr)
		for k := 0; k < n; k++ {
			b := blocks[i+k]
			if int(b.BlockNo) != k || int(b.NumBlocks) != n || uint64(b.Addr) != next {
				return nil, fmt.Errorf("%w: block %d breaks the sequence starting at block %d", ErrBadBlock, i+k, i)
			}
			f.Data = append(f.Data, b.Data...)
			next += uint64(len(b.Data))
		}
		out = append(out, f)
		i += n
	}
	return out, nil
}
