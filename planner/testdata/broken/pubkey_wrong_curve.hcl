espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm  = "ecdsa-p256"
  public_key = "keys/p384_pub.pem" # want: Wrong kind of key: key.sb public_key (keys/p384_pub.pem): the file holds an EC P-384 public key; algorithm "ecdsa-p256" needs the public half of an EC private key on curve P-256
  signer     = ["sign-tool", "{digest}"]
}
