espcompose { version = 1 }

target {
  chip       = "esp32c9" # want: "esp32c9" is not a supported chip (did you mean
  flash_size = "4MB"
}
