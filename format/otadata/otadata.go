package otadata

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Sizes of the partition and its parts.
const (
	Size       = 0x2000 // gen_esp32part requires exactly this size
	SectorSize = 0x1000
	EntrySize  = 32
	LabelSize  = 20
	MaxSlots   = 16 // ota_0 .. ota_15
)

// ImageState is esp_ota_img_states_t.
type ImageState uint32

// Image states, as in esp_flash_partitions.h.
const (
	StateNew           ImageState = 0x0
	StatePendingVerify ImageState = 0x1
	StateValid         ImageState = 0x2
	StateInvalid       ImageState = 0x3
	StateAborted       ImageState = 0x4
	StateUndefined     ImageState = 0xFFFFFFFF
)

// Sentinel errors, wrapped with detail.
var (
	ErrSize  = errors.New("otadata: wrong size")
	ErrSlots = errors.New("otadata: bad slot")
)

// Entry is one esp_ota_select_entry_t.
type Entry struct {
	Seq   uint32
	Label [LabelSize]byte
	State ImageState
	CRC   uint32
}

// SeqCRC is bootloader_common_ota_select_crc: esp_rom_crc32_le(UINT32_MAX,
// &ota_seq, 4). The ROM routine inverts its seed and its result, so this is
// the reflected CRC-32 (poly 0xEDB88320) run from a zero register and
// inverted, i.e. Go's crc32.Update with seed 0xFFFFFFFF (Python:
// binascii.crc32(data, 0xFFFFFFFF), as otatool.py computes it). It is not the
// plain CRC-32 of the four bytes.
func SeqCRC(seq uint32) uint32 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], seq)
	return crc32.Update(0xFFFFFFFF, crc32.IEEETable, b[:])
}

// Usable is the negation of bootloader_common_ota_select_invalid: the
// sequence is not erased and the image was not marked invalid or aborted.
func (e Entry) Usable() bool {
	return e.Seq != 0xFFFFFFFF && e.State != StateInvalid && e.State != StateAborted
}

// Valid is bootloader_common_ota_select_valid: usable and the CRC matches.
func (e Entry) Valid() bool { return e.Usable() && e.CRC == SeqCRC(e.Seq) }

func (e Entry) put(b []byte) {
	binary.LittleEndian.PutUint32(b[0:], e.Seq)
	copy(b[4:4+LabelSize], e.Label[:])
	binary.LittleEndian.PutUint32(b[24:], uint32(e.State))
	binary.LittleEndian.PutUint32(b[28:], e.CRC)
}

func parseEntry(b []byte) Entry {
	var e Entry
	e.Seq = binary.LittleEndian.Uint32(b[0:])
	copy(e.Label[:], b[4:4+LabelSize])
	e.State = ImageState(binary.LittleEndian.Uint32(b[24:]))
	e.CRC = binary.LittleEndian.Uint32(b[28:])
	return e
}

// Blank returns an erased otadata partition: with both entries erased the
// bootloader boots the factory app, or ota_0 when there is none.
func Blank() []byte { return bytes.Repeat([]byte{0xFF}, Size) }

// Select returns an otadata image that makes the bootloader boot OTA slot
// slot (0-based) out of numSlots. It writes what esp_ota_set_boot_partition
// writes on a blank otadata (esp_rewrite_ota_data with no valid entry): entry
// 0 with ota_seq = slot+1, the smallest sequence that maps to slot, the erased
// seq_label, ota_state 0xFFFFFFFF (ESP_OTA_IMG_UNDEFINED, what
// set_new_state_otadata returns without CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE,
// and an image the bootloader accepts in either configuration) and its CRC;
// sector 1 stays erased.
func Select(slot, numSlots int) ([]byte, error) {
	return SelectState(slot, numSlots, StateUndefined)
}

// SelectState is Select with an explicit ota_state, e.g. StateNew to have a
// rollback-enabled bootloader monitor the first boot as esp_ota_set_boot_partition
// does with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE, or StateValid as the
// bootloader itself writes when it settles on ota_0 without a factory app.
func SelectState(slot, numSlots int, state ImageState) ([]byte, error) {
	if numSlots < 1 || numSlots > MaxSlots {
		return nil, fmt.Errorf("%w: %d OTA slots (want 1..%d)", ErrSlots, numSlots, MaxSlots)
	}
	if slot < 0 || slot >= numSlots {
		return nil, fmt.Errorf("%w: slot %d out of 0..%d", ErrSlots, slot, numSlots-1)
	}
	if state == StateInvalid || state == StateAborted {
		return nil, fmt.Errorf("%w: state 0x%x would never be booted", ErrSlots, uint32(state))
	}
	e := Entry{Seq: uint32(slot) + 1, State: state}
	for i := range e.Label {
		e.Label[i] = 0xFF
	}
	e.CRC = SeqCRC(e.Seq)
	out := Blank()
	e.put(out)
	return out, nil
}

// State is what the bootloader reads from an otadata partition.
type State struct {
	Entries [2]Entry // the entries at offsets 0 and 0x1000
	Valid   [2]bool  // Entry.Valid of each
	// Active is the entry the bootloader follows (-1 when none is valid):
	// the valid one, or with both valid the higher ota_seq, entry 0 on a tie
	// (bootloader_common_select_otadata).
	Active int
	// Slot is the OTA slot booted, (ota_seq - 1) % numSlots in uint32
	// arithmetic; -1 when the bootloader falls back to the factory app (or to
	// ota_0 without one): no valid entry, or numSlots == 0.
	Slot int
}

// Decode reads a whole otadata partition (Size bytes) and applies the
// bootloader's selection rule (bootloader_utility_get_selected_boot_partition
// without anti-rollback; with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE the
// bootloader first turns PENDING_VERIFY entries into ABORTED ones).
// numSlots is the number of OTA app partitions in the table (0..16).
func Decode(b []byte, numSlots int) (State, error) {
	if len(b) != Size {
		return State{}, fmt.Errorf("%w: %d bytes, want 0x%x", ErrSize, len(b), Size)
	}
	if numSlots < 0 || numSlots > MaxSlots {
		return State{}, fmt.Errorf("%w: %d OTA slots (want 0..%d)", ErrSlots, numSlots, MaxSlots)
	}
	var s State
	for i := range 2 {
		s.Entries[i] = parseEntry(b[i*SectorSize:])
		s.Valid[i] = s.Entries[i].Valid()
	}
	switch {
	case s.Valid[0] && s.Valid[1]:
		s.Active = 0
		if s.Entries[1].Seq > s.Entries[0].Seq {
			s.Active = 1
		}
	case s.Valid[0]:
		s.Active = 0
	case s.Valid[1]:
		s.Active = 1
	default:
		s.Active = -1
	}
	s.Slot = -1
	if s.Active >= 0 && numSlots > 0 {
		s.Slot = int((s.Entries[s.Active].Seq - 1) % uint32(numSlots))
	}
	return s, nil
}
