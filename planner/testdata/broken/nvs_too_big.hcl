espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "mfg" {
  namespace "n" {
    entry "big" {
      type = "blob"
      file = "images/big-app.bin"
    }
  }
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "12K" # want: NVS contents do not fit
  contents = nvs.mfg
}
