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
  type    = "app"
  subtype = "ota_0" # want: Duplicate app subtype: Partitions "ota_0" and "ota_1" are both app/ota_0
  size    = "1M"
}
