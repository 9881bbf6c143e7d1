espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p256"
  file      = "keys/p521.pem" # want: the file holds an EC P-521 private key; algorithm "ecdsa-p256" needs an EC private key on curve P-256 (NIST256p)
}
