# Adapted from the manifest draft: an ESP32-C3 AT module, secure production build.
espcompose {
  version = 1
}

variable "fw_version" {
  type    = string
  default = "4.1.0"
}

locals {
  app_size = "1856K"
}

target {
  chip       = "esp32c3"
  flash_size = "4MB"
  flash_mode = "dio"
  flash_freq = "40m"
}

key "flash" {
  algorithm = "xts-aes-128"
  file      = "keys/flash_encryption_key.bin"
  create    = true
}

key "secure_boot" {
  algorithm = "rsa-3072"
  file      = "keys/secure_boot_signing_key.pem"
}

key "release" {
  algorithm  = "rsa-3072"
  public_key = "keys/release_pub.pem"
  signer     = ["./tools/hsm-sign", "{digest_file}", "{signature_file}"]
}

key "nvs" {
  algorithm = "nvs-xts"
  file      = "keys/nvs_keys.bin"
  create    = true
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

image "bootloader" { file = "build/bootloader/bootloader.bin" }
image "app" {
  file = "build/esp-at.bin"
  expect {
    project_name = "esp-at"
    version      = var.fw_version
  }
}

bootloader { image = image.bootloader }

partition_table {
  offset = 0x8000
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
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "56K"
}
partition "nvs_keys" {
  type     = "data"
  subtype  = "nvs_keys"
  size     = "4K"
  contents = key.nvs
}

partition "at_customize" {
  type    = 0x40
  subtype = 0
  size    = "264K"
  table {
    partition "mfg_nvs" {
      type     = "data"
      subtype  = "nvs"
      size     = "124K"
      contents = nvs.mfg
    }
    partition "fs_storage" {
      type    = "data"
      subtype = 0xff
      size    = "100K"
    }
  }
}

partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  size     = local.app_size
  contents = image.app
}
partition "ota_1" {
  type    = "app"
  subtype = "ota_1"
  size    = partition.ota_0.size
}

nvs "mfg" {
  namespace "factory_param" {
    entry "version" {
      type  = "i8"
      value = 4
    }
    entry "module_name" {
      type  = "string"
      value = "MINI-1"
    }
  }
  namespace "client_cert" {
    entry "client_cert.0" {
      type  = "blob"
      value = file("certs/client_cert_00.crt")
    }
  }
  import_csv = "mfg_nvs.csv"
}

struct "factory_param_v2" {
  size = "4K"
  fill = 0xff
  field "magic_flag" {
    offset = 0
    type   = "u16"
    value  = 0xfcfc
  }
  field "country_code" {
    offset = 8
    type   = "string"
    size   = 4
    value  = "CN"
  }
}

ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1]
}
