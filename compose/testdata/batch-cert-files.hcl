# The former examples/manufacturing manifest: per-device certificate files
# (certs/<serial>.pem), which batch_test.go writes and edits to check what a rerun
# rebuilds. The example itself now issues its certificates (nothing per device).
# Manufacturing: one factory image per device, from a CSV of per-device data.
#
# Every stage that does not depend on device.* (bootloader, app, partition table,
# otadata) is computed once; only each device's NVS partition and merged image are
# made per device. Outputs land in dist/devices/<id>/, indexed by dist/devices.json.
espcompose {
  version = 1
}

devices {
  csv = "devices.csv" # columns become device.<column>
  id  = device.serial
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
    project_name = "meter"
  }
}

bootloader {
  image = image.bootloader
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
}

partition "factory_nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "16K"
  contents = nvs.factory
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
  size    = "1536K"
}

nvs "factory" {
  namespace "device" {
    entry "serial" {
      type  = "string"
      value = device.serial
    }
    entry "hw_rev" {
      type  = "u8"
      value = device.hw_rev
    }
    entry "region" {
      type  = "string"
      value = device.region
    }
    entry "cert" {
      type = "blob"
      file = "certs/${device.serial}.pem"
    }
  }
}

output {
  name = "meter"
}
