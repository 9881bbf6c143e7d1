espcompose { version = 1 }

target {
  chip       = "esp32"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-128" # want: Flash encryption algorithm not supported by the chip: key.flash: esp32 has no xts-aes-128 flash encryption; it supports aes-192 or aes-256
  file      = "keys/32.bin"
}
security {
  flash_encryption { key = key.flash }
}
