espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = varz.size # want: "varz" is not a variable or block kind (did you mean "var"?)
}
