espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "rsa-3072"
  file      = "keys/rsa2048.pem" # want: Wrong kind of key: key.sb (keys/rsa2048.pem): the file holds an RSA-2048 private key; algorithm "rsa-3072" needs an RSA private key of exactly 3072 bits
}
security {
  secure_boot {
    version = 2
    keys    = [key.sb]
  }
}
