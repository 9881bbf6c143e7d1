espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type      = "data"
  subtype   = "nvs"
  size      = "24K"
  encrypted = "sometimes" # want: encrypted must be true or false
}
