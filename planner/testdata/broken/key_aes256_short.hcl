espcompose { version = 1 }

target {
  chip       = "esp32"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "aes-256"
  file      = "keys/31.bin" # want: algorithm "aes-256" needs a key file of exactly 32 bytes (256 bits); this file has 31 bytes
}
security {
  flash_encryption { key = key.flash }
}
