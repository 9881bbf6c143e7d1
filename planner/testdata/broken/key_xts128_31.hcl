espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/31.bin" # want: Wrong key file length: key.flash (keys/31.bin): algorithm "xts-aes-128" needs a key file of exactly 32 bytes (256 bits); this file has 31 bytes
}
security {
  flash_encryption { key = key.flash }
}
