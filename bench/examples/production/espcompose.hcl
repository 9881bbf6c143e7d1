# The production compose bench/run.sh times (issue 13): ESP32-C3, 4 MB flash,
# XTS-AES-128 flash encryption in release mode, encrypted NVS, two app slots, the
# merged image filled to the flash size. No Secure Boot: examples/secure-production
# is the signed variant.
#
# It builds from a copy of examples/secure-production's images/, keys/ and certs/ (the
# benchmarks and run.sh put this file beside them); the keys are that example's
# EXAMPLE keys. bench/ref/production/pipeline.sh does the same with Espressif's tools.
espcompose {
  version = 1
}

target {
  chip       = "esp32c3"
  flash_size = "4MB"
  flash_mode = "dio"
  flash_freq = "80m"
}

key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/flash_encryption_key.bin"
}

key "nvs" {
  algorithm = "nvs-xts"
  file      = "keys/nvs_keys.bin"
}

security {
  flash_encryption {
    key  = key.flash
    mode = "release"
  }
}

image "bootloader" {
  file = "images/bootloader.bin"
}

image "app" {
  file = "images/app.bin"
}

bootloader {
  image = image.bootloader
}

partition_table {
  offset = 0x8000
}

partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "24K"
  contents = nvs.device
}

partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
}

partition "phy_init" {
  type    = "data"
  subtype = "phy"
  size    = "4K"
}

partition "nvs_keys" {
  type     = "data"
  subtype  = "nvs_keys"
  size     = "4K"
  contents = key.nvs
}

partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  size     = "1856K"
  contents = image.app
}

partition "ota_1" {
  type    = "app"
  subtype = "ota_1"
  size    = "1856K"
}

nvs "device" {
  encrypt_with = key.nvs
  namespace "config" {
    entry "region" {
      type  = "string"
      value = "eu868"
    }
    entry "report_s" {
      type  = "u32"
      value = 300
    }
  }
  namespace "certs" {
    entry "ca" {
      type  = "blob"
      value = file("certs/ca.crt")
    }
  }
}

output {
  name       = "production"
  fill_flash = true
}
