espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/flash.bin" # want: keys/flash.bin: file does not exist. Set create = true
}
security {
  flash_encryption {
    key = key.flash
  }
}
image "app" {
  file = "images/c3-app.bin"
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
