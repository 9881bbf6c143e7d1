espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
}
partition "otadata2" {
  type    = "data"
  subtype = "ota" # want: Found multiple otadata partitions
  size    = "8K"
}
