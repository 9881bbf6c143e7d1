package qemutest

// eFuse field and block positions, so the steps of an efuse-plan.sh can be turned into
// the bits of an emulated chip's eFuse file. They are esptool's (espefuse) tables for
// the ESP32-C3 at github.com/espressif/esptool@bb72741ff4fadb2c6958564140e755b44288af32:
// fields from espefuse/efuse_defs/esp32c3.yaml (blk, word, pos, len, wr_dis), blocks
// and their write/read-protect bits from espefuse/efuse/esp32c3/mem_definition.py
// (EfuseDefineBlocks.BLOCKS), key purposes from espefuse/efuse/esp32c3/fields.py
// (EfuseKeyPurposeField.KEY_PURPOSES). TestEfuseFieldsMatchEsptool compares them with
// the YAML when ESPCOMPOSE_ESPEFUSE_DEFS points at a checkout's efuse_defs directory.
//
// Only the fields a plan may name are listed: a plan naming another one fails the test
// that applies it, rather than being skipped silently.

// efuseField is one eFuse field in BLOCK0 (the only block plans burn fields into).
type efuseField struct {
	word, pos, len int
	wrDis          int // bit of WR_DIS that write-protects it; -1 for none
}

// efuseBlock is a 256-bit key block.
type efuseBlock struct {
	fileOffset int // in QEMU's eFuse file: esptool's read address minus EFUSE_RD_WR_DIS (0x2c)
	wrDis      int
	rdDis      int    // bit of RD_DIS; -1 for a block that cannot be read-protected
	purpose    string // its KEY_PURPOSE_n field
}

// efuseChip is one chip's tables and file layout.
type efuseChip struct {
	fileSize int
	fields   map[string]efuseField
	blocks   map[string]efuseBlock
	purposes map[string]keyPurpose
}

// keyPurpose is a KEY_PURPOSES row: its value and what burn_key does with it.
type keyPurpose struct {
	value       uint32
	reverse     bool // "Reverse": the key is stored byte-reversed for the AES-XTS peripheral
	readProtect bool // "need_rd_protect": burn_key read-protects the block
	digest      bool // "DIGEST": burn_key_digest's purposes
}

var efuseC3 = &efuseChip{
	fileSize: c3FileSize, // QEMU's nvram.esp32c3.efuse reads its file from EFUSE_RD_WR_DIS on
	fields: map[string]efuseField{
		"WR_DIS":                        {0, 0, 32, -1},
		"RD_DIS":                        {1, 0, 7, 0},
		"DIS_ICACHE":                    {1, 8, 1, 2},
		"DIS_USB_JTAG":                  {1, 9, 1, 2},
		"DIS_DOWNLOAD_ICACHE":           {1, 10, 1, 2},
		"DIS_USB_SERIAL_JTAG":           {1, 11, 1, 2},
		"DIS_FORCE_DOWNLOAD":            {1, 12, 1, 2},
		"SOFT_DIS_JTAG":                 {1, 16, 3, 31},
		"DIS_PAD_JTAG":                  {1, 19, 1, 2},
		"DIS_DOWNLOAD_MANUAL_ENCRYPT":   {1, 20, 1, 2},
		"SPI_BOOT_CRYPT_CNT":            {2, 18, 3, 4},
		"SECURE_BOOT_KEY_REVOKE0":       {2, 21, 1, 5},
		"SECURE_BOOT_KEY_REVOKE1":       {2, 22, 1, 6},
		"SECURE_BOOT_KEY_REVOKE2":       {2, 23, 1, 7},
		"KEY_PURPOSE_0":                 {2, 24, 4, 8},
		"KEY_PURPOSE_1":                 {2, 28, 4, 9},
		"KEY_PURPOSE_2":                 {3, 0, 4, 10},
		"KEY_PURPOSE_3":                 {3, 4, 4, 11},
		"KEY_PURPOSE_4":                 {3, 8, 4, 12},
		"KEY_PURPOSE_5":                 {3, 12, 4, 13},
		"SECURE_BOOT_EN":                {3, 20, 1, 15},
		"SECURE_BOOT_AGGRESSIVE_REVOKE": {3, 21, 1, 16},
		"DIS_DOWNLOAD_MODE":             {4, 0, 1, 18},
		"DIS_DIRECT_BOOT":               {4, 1, 1, 18},
		"ENABLE_SECURITY_DOWNLOAD":      {4, 5, 1, 18},
		"SECURE_VERSION":                {4, 14, 16, 18},
	},
	blocks: map[string]efuseBlock{
		"BLOCK_KEY0": {0x09c - 0x2c, 23, 0, "KEY_PURPOSE_0"},
		"BLOCK_KEY1": {0x0bc - 0x2c, 24, 1, "KEY_PURPOSE_1"},
		"BLOCK_KEY2": {0x0dc - 0x2c, 25, 2, "KEY_PURPOSE_2"},
		"BLOCK_KEY3": {0x0fc - 0x2c, 26, 3, "KEY_PURPOSE_3"},
		"BLOCK_KEY4": {0x11c - 0x2c, 27, 4, "KEY_PURPOSE_4"},
		"BLOCK_KEY5": {0x13c - 0x2c, 28, 5, "KEY_PURPOSE_5"},
	},
	purposes: map[string]keyPurpose{
		"USER":                        {value: 0},
		"XTS_AES_128_KEY":             {value: 4, reverse: true, readProtect: true},
		"HMAC_DOWN_ALL":               {value: 5, readProtect: true},
		"HMAC_DOWN_JTAG":              {value: 6, readProtect: true},
		"HMAC_DOWN_DIGITAL_SIGNATURE": {value: 7, readProtect: true},
		"HMAC_UP":                     {value: 8, readProtect: true},
		"SECURE_BOOT_DIGEST0":         {value: 9, digest: true},
		"SECURE_BOOT_DIGEST1":         {value: 10, digest: true},
		"SECURE_BOOT_DIGEST2":         {value: 11, digest: true},
	},
}
