espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "factory" {
  type    = "app"
  subtype = "factory"
  size    = 0x10800 # want: Size 0x10800 is not aligned to 0x1000
}
