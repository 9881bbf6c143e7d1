espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p192"
  file      = "keys/new-p192.pem"
  create    = true # want: Cannot create key: espcompose cannot create ecdsa-p192 keys
}
