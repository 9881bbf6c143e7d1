espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
key "sb" {
  algorithm  = "ecdsa-p256"
  public_key = "keys/p256.pem" # want: the file holds an EC P-256 private key; public_key takes only the public half
  signer     = ["sign-tool", "{digest}"]
}
