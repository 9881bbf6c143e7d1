espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "nvs" {
  algorithm = "nvs-xts"
  file      = "keys/64.bin" # want: Wrong key file length: key.nvs (keys/64.bin): not a valid nvs_keys partition image (as nvs_partition_gen generate-key writes it): nvs: wrong key length: nvs_keys partition is 64 bytes, want 4096
}
