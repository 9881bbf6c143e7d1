espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" { # want: The argument "size" is required
  type    = "data"
  subtype = "nvs"
  sise    = "24K" # want: Unsupported argument
}
