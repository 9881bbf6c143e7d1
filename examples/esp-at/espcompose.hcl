# esp-at on an ESP32-C3 with flash encryption (seeds 000 and 001).
#
# Seed 000: the secondary table of at_customize lives in the same manifest as the main
# table. Its children are placed inside their parent and its binary is written at the
# parent's start; a child outside its parent is an error on its own line.
#
# Seed 001: mfg_nvs holds the certificates. NVS is read as plaintext by the device, so
# it is never flash-encrypted, even with flash encryption on (see `espcompose plan`).
espcompose {
  version = 1
}

variable "at_raw_data" {
  type        = string
  default     = "customized_partitions"
  description = "esp-at's customized_partitions folder (at_customized_config_dependency.txt + raw_data/)"
}

variable "platform" {
  type    = string
  default = "PLATFORM_ESP32C3"
}

variable "module" {
  type    = string
  default = "ACME-C3"
}

variable "at_config" {
  type    = list(string)
  default = ["AT_BLE_COMMAND_SUPPORT", "AT_SSL_CLIENT_SERVER_AUTH_CLIENT", "AT_SSL_CLIENT_CLIENT_AUTH_SERVER", "AT_CUSTOMIZED_PARTITION_TABLE_SUPPORT"]
}

target {
  chip       = "esp32c3"
  flash_size = "4MB"
  flash_mode = "dio"
  flash_freq = "40m"
}

key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/flash_encryption_key.bin" # EXAMPLE key: never use it for a product
}

security {
  flash_encryption {
    key  = key.flash
    mode = "development"
  }
}

image "bootloader" {
  file = "images/bootloader.bin"
}

image "at" {
  file = "images/esp-at.bin"
  expect {
    project_name = "esp-at"
  }
}

bootloader {
  image = image.bootloader
}

partition_table {
  offset = 0x8000
  md5    = false # esp-at builds its tables with --disable-md5sum
}

partition "otadata" {
  type    = "data"
  subtype = "ota"
  offset  = 0xd000
  size    = "8K"
}

partition "phy_init" {
  type    = "data"
  subtype = "phy"
  offset  = 0xf000
  size    = "4K"
}

partition "nvs" {
  type    = "data"
  subtype = "nvs"
  offset  = 0x10000
  size    = 0xE000
}

partition "at_customize" {
  type    = 0x40
  subtype = 0
  offset  = 0x1E000
  size    = 0x42000
  table {
    partition "mfg_nvs" {
      type     = "data"
      subtype  = "nvs"
      offset   = 0x1f000
      size     = "124K"
      contents = nvs.mfg
    }
    partition "fs_storage" {
      type    = "data"
      subtype = 0xff
      offset  = 0x47000
      size    = "100K"
    }
  }
}

partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  offset   = 0x60000
  size     = 0x1d0000
  contents = image.at
}

partition "ota_1" {
  type    = "app"
  subtype = "ota_1"
  offset  = 0x230000
  size    = 0x1d0000
}

nvs "mfg" {
  esp_at {
    raw_data = var.at_raw_data
    platform = var.platform
    module   = var.module
    config   = var.at_config
  }
}

ota "at" {
  image = image.at
  slots = [partition.ota_0, partition.ota_1]
}

output {
  name = "esp-at"
}
