espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "4K" # want: otadata partition must have size = 0x2000
}
