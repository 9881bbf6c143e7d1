espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "images/big-app.bin"
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "64K"
  contents = image.app # want: partition "factory" holds 65536, so it is
}
