espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "3MB" # want: flash_size must be a power of two
}
