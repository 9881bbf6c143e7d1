# Seed 004: Secure Boot V2 + XTS-AES flash encryption + encrypted NVS on a 4 MB board.
#
# The bootloader in images/ was built for an 8 MB devkit: its header says 8MB. espcompose
# writes target.flash_size into the header FIRST, then hashes and signs, then encrypts,
# and tells esptool to keep every header as it is. Nothing touches a signed image.
#
# keys/ holds EXAMPLE keys, committed so the example builds the same everywhere.
# Never use them for a product: make your own with create = true (kept out of git).
espcompose {
  version = 1
}

variable "fw_version" {
  type    = string
  default = "2.4.0"
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

key "secure_boot" {
  algorithm = "rsa-3072"
  file      = "keys/secure_boot_signing_key.pem"
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
  secure_boot {
    version = 2
    keys    = [key.secure_boot]
  }
}

image "bootloader" {
  file = "images/bootloader.bin"
}

image "app" {
  file = "images/app.bin"
  expect {
    project_name = "sensor-node"
    version      = var.fw_version
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

ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1] # one flash-encrypted artifact per slot (seed 002)
  encrypted_package {                        # esp_encrypted_img, for network delivery
    public_key = "keys/ota_rsa_pub.pem"      # the device holds the private half (device/, EXAMPLE only)
    secret     = key.flash                   # keys the deterministic AES key/IV derivation
  }
}

output {
  name = "sensor-node"
}
