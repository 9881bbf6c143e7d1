espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/31.bin" # want: this file has 31 bytes
  create    = true
}
