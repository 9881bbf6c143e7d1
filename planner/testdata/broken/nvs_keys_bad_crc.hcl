espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "nvs" {
  algorithm = "nvs-xts"
  file      = "keys/nvs_keys_badcrc.bin" # want: Damaged key file: key.nvs (keys/nvs_keys_badcrc.bin): not a valid nvs_keys partition image: the CRC32 at byte offset 0x40 does not match the 64 key bytes at 0x0-0x3f
}
