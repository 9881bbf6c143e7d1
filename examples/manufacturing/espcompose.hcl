# Manufacturing: one factory image per device, from a CSV of per-device data, each with
# its own X.509 certificate and key pair issued at build time.
#
# Nothing per device is stored: each device's key is derived (HKDF) from one master
# secret and the device's serial, and its certificate is issued from the CA below, so a
# new row in devices.csv builds as is, and a rebuild reproduces every byte. Every stage
# that does not depend on device.* (bootloader, app, partition table, otadata) is
# computed once; per device only its certificate, its NVS and esp_secure_cert
# partitions and its merged image are made. Outputs land in dist/devices/<id>/,
# indexed by dist/devices.json and dist/devices.csv.
#
# test-ca-DO-NOT-SHIP/ holds a TEST-ONLY CA and master secret, committed so the example
# builds anywhere. A real line keeps its CA key in an HSM (ca_key = a key block with a
# pkcs11 {} or signer) and its master secret off the repository.
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
  type     = 0x3F # esp_secure_cert_mgr's custom type
  subtype  = 0
  size     = "8K"
  contents = cert.device # CA certificate, device certificate, private key (TLV)
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
