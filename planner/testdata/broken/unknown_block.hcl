espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partitions "nvs" { # want: Unsupported block type
  size = "24K"
}
