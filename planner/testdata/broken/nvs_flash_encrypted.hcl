espcompose { version = 1 }

# Seed 001: an NVS partition holding certificates was flash-encrypted.
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "mfg_nvs" {
  type      = "data"
  subtype   = "nvs"
  size      = "24K"
  encrypted = true # want: set encrypt_with = key.<name> on the nvs block
}
