# A plain ESP32-C3 device with two OTA slots: the smallest useful espcompose manifest.
# Build it with:  go run ./cmd/espcompose build -f examples/quickstart/espcompose.hcl -o dist
espcompose {
  version = 1
}

variable "app_version" {
  type    = string
  default = "1.0.0"
}

target {
  chip       = "esp32c3"
  flash_size = "4MB"
  flash_mode = "dio" # written into the bootloader header before anything hashes it
  flash_freq = "80m"
}

image "bootloader" {
  file = "images/bootloader.bin"
}

image "app" {
  file = "images/app.bin"
  expect {
    project_name = "quickstart"
    version      = var.app_version
  }
}

bootloader {
  image = image.bootloader
}

partition_table {
  offset = 0x8000
}

partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "24K"
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
  size     = "1536K"
  contents = image.app
}

partition "ota_1" {
  type    = "app"
  subtype = "ota_1"
  size    = partition.ota_0.size
}

partition "storage" {
  type    = "data"
  subtype = "spiffs"
  size    = "896K"
}

ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1]
}

output {
  name = "quickstart"
  hex  = true
}
