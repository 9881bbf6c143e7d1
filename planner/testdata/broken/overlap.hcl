espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  offset  = 0x9000
  size    = "24K"
}
partition "phy_init" {
  type    = "data"
  subtype = "phy"
  offset  = 0xc000 # want: Partitions overlap
  size    = "4K"
}
