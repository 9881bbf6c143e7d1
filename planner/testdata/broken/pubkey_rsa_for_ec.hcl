espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm  = "ecdsa-p192"
  public_key = "keys/rsa3072_pub.pem" # want: the file holds an RSA-3072 public key; algorithm "ecdsa-p192" needs the public half
  signer     = ["sign-tool", "{digest}"]
}
