target { # want: Missing espcompose block: A manifest starts with the format it is written in; add espcompose { version = 1 }
  chip       = "esp32c3"
  flash_size = "4MB"
}
