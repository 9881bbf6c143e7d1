espcompose { version = 1 }

target { # want: Unclosed configuration block
  chip       = "esp32c3"
  flash_size = "4MB"
partition "nvs" {
}
