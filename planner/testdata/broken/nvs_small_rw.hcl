espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "4K" # want: must be flagged as 'readonly' (the size of read/write NVS has to be at least 0x3000)
}
