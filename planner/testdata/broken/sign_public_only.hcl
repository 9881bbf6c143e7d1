espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm = "ecdsa-p256"
  file      = "keys/p256_pub.pem" # want: Wrong kind of key: key.sb (keys/p256_pub.pem): the file holds only an EC P-256 public key, but file must be the private signing key: use public_key with a signer/pkcs11, or give the private key
}
