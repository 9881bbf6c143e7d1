espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
  boot    = partition.nvs # want: otadata can only select an app partition
}
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "24K"
}
