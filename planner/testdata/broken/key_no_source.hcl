espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "flash" { # want: key "flash" needs file
  algorithm = "xts-aes-128"
}
