espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "2MB"
}
partition "factory" {
  type    = "app"
  subtype = "factory"
  size    = "2M" # want: does not fit in configured flash size 2MB
}
