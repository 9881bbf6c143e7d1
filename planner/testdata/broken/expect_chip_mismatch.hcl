espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "images/c3-app.bin"
  expect {
    chip = "esp32s3" # want: was built for esp32c3, but expect says esp32s3
  }
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
