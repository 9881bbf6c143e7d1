# The image espcompose_add_image builds in the CMake test project.
espcompose {
  version = 1
}

variable "app_bin" {
  type = string # the firmware build's output, passed by CMake as -var
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
  file = var.app_bin
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

partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1M"
  contents = image.app
}

partition "config" {
  type    = "data"
  subtype = "undefined"
  size    = "4K"
  file    = "data/config.bin" # read only through the depfile: CMake is not told about it
}

output {
  name = "test"
}
