espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "rsa-3072"
  file      = "keys/32.bin" # want: Unreadable key file: key.sb (keys/32.bin): no PEM key found
}
