espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "mfg" {
  import_csv = ["csv/too_long.csv"] # want: csv/too_long.csv:3: nvs: value too long: key `v`: size (4002) exceeds max allowed length `4000` bytes
}
partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "24K"
  contents = nvs.mfg
}
