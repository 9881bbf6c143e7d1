# Release v2 of the "thermostat" product (see ../README.md): `espcompose diff` compares
# it with the other release. Build it with:
#   go run ./cmd/espcompose build -f examples/release/v2/espcompose.hcl -o dist
espcompose {
  version = 1
}

target {
  chip       = "esp32c3"
  flash_size = "4MB"
  flash_mode = "dio"
  flash_freq = "80m"
}

image "bootloader" {
  file = "images/bootloader.bin"
}

image "app" {
  file = "images/app.bin"
  expect {
    project_name = "thermostat"
    version      = "1.1.0"
  }
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
  contents = nvs.factory
}

partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
  boot    = partition.ota_0
}

partition "phy_init" {
  type    = "data"
  subtype = "phy"
  size    = "4K"
}

partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  size     = "1M"
  contents = image.app
}

partition "ota_1" {
  type    = "app"
  subtype = "ota_1"
  size    = partition.ota_0.size
}

# New in v2, after the last partition: nothing above it moves.
partition "logs" {
  type    = "data"
  subtype = "spiffs"
  size    = "64K"
}

nvs "factory" {
  namespace "config" {
    entry "model" {
      type  = "string"
      value = "TH-100"
    }
    entry "report_s" {
      type  = "u16"
      value = 30
    }
    entry "region" {
      type  = "string"
      value = "us915"
    }
  }
}

ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1]
}

output {
  name = "thermostat"
}
