espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
struct "params" {
  size = 64
  field "country" {
    offset = 8
    type   = "string"
    size   = 2
    value  = "CHN" # want: "CHN" is 3 bytes; field "country" holds 2
  }
}
