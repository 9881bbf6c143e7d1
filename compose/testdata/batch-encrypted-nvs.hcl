# A device batch with per-device NVS encryption keys espcompose creates on the first
# build (keys/<serial>.bin, 0600), as mfg_gen --keygen does: batch_test.go and the bench.
espcompose {
  version = 1
}

devices {
  csv = "devices.csv"
  id  = device.serial
}

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}

key "nvs" {
  algorithm = "nvs-xts"
  file      = "keys/${device.serial}.bin"
  create    = true
}

partition "nvs" {
  type     = "data"
  subtype  = "nvs"
  size     = "16K"
  contents = nvs.factory
}

nvs "factory" {
  encrypt_with = key.nvs
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
