# Seed 003: remote signing + flash encryption. The build machine holds only the public
# key; a signer command (your HSM client) receives each digest and returns a signature,
# which espcompose verifies before using it. The order is fixed by the graph:
# header parameters -> sign (plaintext) -> encrypt at the final offset -> merge,
# so no image is ever encrypted before it is signed, or at the wrong offset.
#
# keys/ and hsm/ hold EXAMPLE keys only.
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

key "release" {
  algorithm  = "rsa-3072"
  public_key = "keys/release_pub.pem"
  signer     = ["sh", "tools/hsm-sign.sh", "{digest_file}", "{signature_file}"]
}

security {
  flash_encryption {
    key  = key.flash
    mode = "development"
  }
  secure_boot {
    version = 2
    keys    = [key.release]
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

partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "24K"
}

partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
  boot    = partition.ota_1
}

partition "phy_init" {
  type    = "data"
  subtype = "phy"
  size    = "4K"
}

partition "ota_0" {
  type    = "app"
  subtype = "ota_0"
  size    = "1536K"
}

partition "ota_1" {
  type     = "app"
  subtype  = "ota_1"
  size     = "1536K"
  contents = image.app
}

ota "app" {
  image = image.app
  slots = [partition.ota_0, partition.ota_1]
}

output {
  name = "gateway"
}
