espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
struct "params" {
  size = 64
  field "magic" {
    offset = 0
    type   = "u32"
    value  = 1
  }
  field "version" { # want: Field "version" (bytes 2..3) overlaps field "magic" (bytes 0..3)
    offset = 2
    type   = "u16"
    value  = 3
  }
}
