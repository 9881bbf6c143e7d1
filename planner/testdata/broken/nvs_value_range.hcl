espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "mfg" {
  namespace "factory" {
    entry "version" {
      type  = "u8"
      value = -1 # want: "-1" is not a valid u8 (0..255)
    }
  }
}
partition "mfg_nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "24K"
  contents = nvs.mfg
}
