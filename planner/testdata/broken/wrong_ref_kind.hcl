espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "ota_0" {
  type    = "app"
  subtype = "ota_0"
  size    = "1M"
}
partition "ota_1" {
  type     = "app"
  subtype  = "ota_1"
  size     = "1M"
  contents = partition.ota_0 # want: contents refers to partition.ota_0, but it must refer to an image
}
