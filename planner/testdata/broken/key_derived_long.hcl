espcompose { version = 1 }

target {
  chip       = "esp32c2"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-128-derived"
  file      = "keys/32.bin" # want: algorithm "xts-aes-128-derived" needs a key file of exactly 16 bytes (128 bits); this file has 32 bytes
}
security {
  flash_encryption { key = key.flash }
}
