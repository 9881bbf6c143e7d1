espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
  boot    = partition.b # want: the bootloader selects only ota_0..ota_1 (sequence number modulo the slot count), so b (subtype ota_2) can never boot
}
partition "a" {
  type    = "app"
  subtype = "ota_0"
  size    = "1M"
}
partition "b" {
  type    = "app"
  subtype = "ota_2"
  size    = "1M"
}
