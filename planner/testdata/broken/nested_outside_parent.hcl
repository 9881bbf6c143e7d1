espcompose { version = 1 }

# Seed 000: the secondary table still points at the old at_customize offset.
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "at_customize" {
  type    = 0x40
  subtype = 0
  offset  = 0x2e000
  size    = "264K"
  table {
    partition "mfg_nvs" {
      type    = "data"
      subtype = "nvs"
      offset  = 0x20000 # want: Partition "mfg_nvs" (0x20000-0x3f000) must lie inside "at_customize" (0x2e000-0x70000)
      size    = "124K"
    }
  }
}
