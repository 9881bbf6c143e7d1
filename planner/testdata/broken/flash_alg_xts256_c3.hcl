espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-256" # want: esp32c3 has no xts-aes-256 flash encryption; it supports xts-aes-128
  file      = "keys/64.bin"
}
security {
  flash_encryption { key = key.flash }
}
