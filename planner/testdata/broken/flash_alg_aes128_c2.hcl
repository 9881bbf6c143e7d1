espcompose { version = 1 }

target {
  chip       = "esp32c2"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "aes-128"
  file      = "keys/new-aes128.bin"
  create    = true
}
security {
  flash_encryption { key = key.flash } # want: Not a flash encryption key: key.flash has algorithm "aes-128"; flash encryption on esp32c2 takes xts-aes-128 or xts-aes-128-derived
}
