espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "otadata" {
  type     = "data"
  subtype  = "ota"
  size     = "8K"
  readonly = true # want: is always read-write and cannot be read-only
}
