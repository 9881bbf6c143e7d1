espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "factory" {
  type    = "app"
  subtype = "factory"
  size    = "1M"
}
partition "custom" {
  type    = "data"
  subtype = 0x40
  size    = "256K"
  table {
    partition "a" {
      type    = "app"
      subtype = "test"
      size    = "64K"
    }
    partition "b" {
      type    = "app"
      subtype = "test" # want: Duplicate app subtype: Partitions "a" and "b" are both app/test
      size    = "64K"
    }
  }
}
