espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type    = "data"
  subtype = "nvss" # want: "nvss" is not a subtype of data (did you mean "nvs"?)
  size    = "24K"
}
