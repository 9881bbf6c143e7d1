espcompose { version = 2 } # want: Unsupported manifest format version: This espcompose reads manifest format version 1; the manifest says 2

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
