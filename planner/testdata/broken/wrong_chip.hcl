target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" { # want: was built for esp32, but target.chip is esp32c3
  file = "images/esp32-app.bin"
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
