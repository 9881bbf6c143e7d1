espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "storage" {
  type    = "data"
  subtype = "spiffs"
  size    = "64K"
  file    = "images/c3-app.bin"
  fill    = 255 # want: Partition "storage" sets file and fill
}
