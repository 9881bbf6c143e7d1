# Manufacturing with flash encryption: every device gets its own flash encryption key,
# derived (HKDF) from one master secret and its serial, as its certificate key is. The
# images are encrypted with that key at build time, and each device's efuse-plan.sh
# burns it with `espcompose key derive`: no per-device key file exists anywhere.
#
# test-ca-DO-NOT-SHIP/ holds a TEST-ONLY CA and master secret, committed so the example
# builds anywhere. Never burn a key derived from it into a real device.
espcompose {
  version = 1
}

devices {
  csv = "devices.csv" # columns become device.<column>; add a row, build, and it has its certificate
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

key "test_ca" {
  algorithm = "ecdsa-p256" # TEST ONLY: never sign real devices with this key
  file      = "test-ca-DO-NOT-SHIP/ca.key.pem"
}

key "device_master" {
  algorithm = "hmac" # 32 secret bytes; device keys are derived from it
  file      = "test-ca-DO-NOT-SHIP/device-master.bin"
}

key "flash" {
  algorithm   = "xts-aes-128" # 256 bits in one eFuse key block (ESP32-C3)
  derive_from = key.device_master
}

security {
  flash_encryption {
    key  = key.flash
    mode = "release"
  }
}

cert "device" {
  ca_key       = key.test_ca
  ca_cert      = "test-ca-DO-NOT-SHIP/ca.crt.pem"
  derive_from  = key.device_master # ECDSA P-256, HKDF(master, device id)
  common_name  = device.serial
  organization = "espcompose example"
  dns_names    = ["${lower(device.serial)}.devices.example.com"]
  uris         = ["urn:dev:serial:${device.serial}"]
  not_before   = "2027-01-01T00:00:00Z"
  validity     = "20y"
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

partition "esp_secure_cert" {
  type      = 0x3F # esp_secure_cert_mgr's custom type
  subtype   = 0
  size      = "8K"
  contents  = cert.device # CA certificate, device certificate, private key (TLV)
  encrypted = true        # the private key is only as safe as this flag
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
      type = "blob" # the device certificate, DER
      cert = cert.device
    }
    entry "ca" {
      type = "string" # the CA certificate, PEM
      cert = cert.device
      item = "ca_certificate"
    }
  }
}

output {
  name = "meter"
}
