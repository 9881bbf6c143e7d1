espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "at_customize" {
  type    = 0x40
  subtype = 0
  size    = "128K"
  table {
    partition "mfg_nvs" {
      type    = "data"
      subtype = "nvs"
      size    = "124K"
    }
    partition "fs_storage" { # want: Partition outside its parent
      type    = "data"
      subtype = 0xff
      size    = "100K"
    }
  }
}
