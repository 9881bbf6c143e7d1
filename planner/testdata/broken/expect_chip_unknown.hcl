espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "images/c3-app.bin"
  expect {
    chip = "esp99" # want: expect.chip: "esp99" is not a supported chip
  }
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
