espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
nvs "factory" {
  namespace "d" {
    entry "serial" {
      type  = "string"
      value = device.serial # want: device.* values come from the columns of a devices
    }
  }
}
