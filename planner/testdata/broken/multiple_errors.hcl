espcompose { version = 1 }

# Every problem is reported, not just the first.
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "24Q" # want: "24Q" is not a size
}
partition "phy" {
  type    = "dat" # want: "dat" is not a partition type (did you mean "data"?)
  subtype = "phy"
  size    = "4K"
}
