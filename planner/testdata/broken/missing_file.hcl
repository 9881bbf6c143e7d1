espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "images/missing.bin" # want: images/missing.bin: file does not exist
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
