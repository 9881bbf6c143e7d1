espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "nvs" {
  algorithm = "nvs-hmac"
  file      = "keys/31.bin" # want: algorithm "nvs-hmac" needs a key file of exactly 32 bytes (256 bits); this file has 31 bytes
}
