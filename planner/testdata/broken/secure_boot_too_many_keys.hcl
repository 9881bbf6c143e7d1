espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "a" {
  algorithm = "rsa-3072"
  file      = "keys/a.pem"
}
security {
  secure_boot {
    version = 2
    keys    = [key.a, key.a, key.a, key.a] # want: secure_boot needs 1 to 3 keys
  }
}
