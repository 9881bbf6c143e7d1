espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p256"
  file      = "keys/ed25519.pem" # want: the file holds an Ed25519 private key; algorithm "ecdsa-p256" needs an EC private key on curve P-256
}
