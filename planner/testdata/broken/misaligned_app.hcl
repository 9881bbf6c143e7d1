espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "factory" {
  type    = "app"
  subtype = "factory"
  offset  = 0x11000 # want: Offset 0x11000 is not aligned to 0x10000
  size    = "1M"
}
