espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "mfg" {
  import_csv = ["keys/31.bin"] # want: Invalid NVS CSV
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "24K"
  contents = nvs.mfg
}
