espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "a" { # want: partition.a -> partition.b -> partition.a
  type    = "data"
  subtype = "nvs"
  size    = partition.b.size
}
partition "b" {
  type    = "data"
  subtype = "nvs"
  size    = partition.a.size
}
