espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "mfg" {
  namespace "factory" {
    entry "a_key_that_is_too_long" { # want: has 22 characters; the limit is 15
      type  = "u8"
      value = 1
    }
  }
}
