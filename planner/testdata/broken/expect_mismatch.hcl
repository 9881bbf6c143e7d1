espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "images/c3-app.bin"
  expect {
    version = "2.0.0" # want: has version "1.0.0", but expect says "2.0.0"
  }
}
partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}
