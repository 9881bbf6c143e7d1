espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p384"
  file      = "keys/p256.pem" # want: the file holds an EC P-256 private key; algorithm "ecdsa-p384" needs an EC private key on curve P-384
}
