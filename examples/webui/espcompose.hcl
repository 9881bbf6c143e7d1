# An ESP32-C3 that serves its own web UI: the folder www/ becomes a wear-levelled FAT
# partition (what ESP-IDF's fatfs_create_spiflash_image makes) and assets/ a SPIFFS
# partition, both built from the folders at build time, byte-identical to ESP-IDF's
# generators. Build it with:
#   go run ./cmd/espcompose build -f examples/webui/espcompose.hcl -o dist
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
    project_name = "webui"
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

partition "phy_init" {
  type    = "data"
  subtype = "phy"
  size    = "4K"
}

partition "factory" {
  type     = "app"
  subtype  = "factory"
  size     = "1536K"
  contents = image.app
}

# Mounted by the app with esp_vfs_fat_spiflash_mount_rw_wl("/www", "www", ...).
filesystem "www" {
  type       = "wl-fat"
  dir        = "www"
  long_names = true # index.html is not an 8.3 name (CONFIG_FATFS_LFN_HEAP in the app)
}

partition "www" {
  type     = "data"
  subtype  = "fat"
  size     = "1M"
  contents = filesystem.www
}

# Mounted with esp_vfs_spiffs_register(); spiffsgen's defaults match ESP-IDF's
# default SPIFFS configuration.
filesystem "assets" {
  type = "spiffs"
  dir  = "assets"
}

partition "assets" {
  type     = "data"
  subtype  = "spiffs"
  size     = "256K"
  contents = filesystem.assets
}

output {
  name = "webui"
}
