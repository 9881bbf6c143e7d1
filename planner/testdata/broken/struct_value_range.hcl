espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
struct "params" {
  size = 64
  field "version" {
    offset = 0
    type   = "u8"
    value  = 300 # want: 300 does not fit a u8 field (0..255)
  }
}
