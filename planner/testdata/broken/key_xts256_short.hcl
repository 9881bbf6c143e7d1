espcompose { version = 1 }

target {
  chip       = "esp32s3"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-256"
  file      = "keys/32.bin" # want: algorithm "xts-aes-256" needs a key file of exactly 64 bytes (512 bits); this file has 32 bytes
}
security {
  flash_encryption { key = key.flash }
}
