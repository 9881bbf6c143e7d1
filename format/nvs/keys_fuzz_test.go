package nvs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzParseKeyPartition reads nvs_keys partition images. Invariants: no panic;
// only 4096-byte images with a matching CRC are accepted; an accepted image's keys
// re-encode to the same 68 bytes (keys and CRC: what the device reads); the keys
// decrypt what they encrypt; a changed key byte or CRC byte is refused.
func FuzzParseKeyPartition(f *testing.F) {
	k, err := KeysFromBytes(bytes.Repeat([]byte{0x5A, 0xA5}, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(k.MarshalPartition(), uint8(0))
	h, err := DeriveHMACKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(h.MarshalPartition(), uint8(3))
	f.Add(bytes.Repeat([]byte{0x33}, KeyPartitionSize), uint8(0x81))
	f.Add(bytes.Repeat([]byte{0xFF}, KeyPartitionSize), uint8(1))
	f.Add(make([]byte, KeyPartitionSize), uint8(0x40))
	f.Add(k.MarshalPartition()[:68], uint8(0))
	img, err := encodeCSV(hdr+"a,data,u8,1\nb,data,string,hello\n", Options{Size: 0x3000, Keys: &k})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte, at uint8) {
		if at >= 0x80 && len(b) >= 68 {
			// Half the inputs get a correct CRC, so that arbitrary keys get through.
			b = bytes.Clone(b)
			binary.LittleEndian.PutUint32(b[64:], crc(b[:64]))
		}
		keys, err := ParseKeyPartition(b)
		if err != nil {
			if !errors.Is(err, ErrKeyLength) && !errors.Is(err, ErrKeyCRC) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(b) != KeyPartitionSize {
			t.Fatalf("accepted %d bytes", len(b))
		}
		if enc := keys.MarshalPartition(); !bytes.Equal(enc[:68], b[:68]) {
			t.Fatal("keys and CRC do not re-encode to the input")
		}
		bad := bytes.Clone(b)
		bad[int(at)%68] ^= 0x01
		if _, err := ParseKeyPartition(bad); !errors.Is(err, ErrKeyCRC) {
			t.Fatalf("a changed byte at %d was not refused: %v", int(at)%68, err)
		}
		// Keys that parse are usable: an image encrypted with them decrypts.
		enc, err := encodeCSV(hdr+"a,data,u8,1\nb,data,string,hello\n", Options{Size: 0x3000, Keys: &keys})
		if err != nil {
			t.Fatal(err)
		}
		d, err := Decode(enc, &keys)
		if err != nil || len(d.Partition.Namespaces) != 1 || len(d.Partition.Namespaces[0].Entries) != 2 {
			t.Fatalf("round trip with the parsed keys: %v", err)
		}
		if bytes.Equal(keys.Bytes(), k.Bytes()) {
			if _, err := Decode(img, &keys); err != nil {
				t.Fatalf("seed image does not decrypt with its keys: %v", err)
			}
		}
	})
}
