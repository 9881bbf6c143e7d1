target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" { # want: images/missing.bin: file does not exist
  file = "images/missing.bin"
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
