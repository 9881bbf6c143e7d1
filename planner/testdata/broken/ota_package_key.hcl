espcompose { version = 1 }

target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
image "app" {
  file = "images/c3-app.bin"
}
partition "otadata" {
  type    = "data"
  subtype = "ota"
  size    = "8K"
}
partition "ota_0" {
  type     = "app"
  subtype  = "ota_0"
  size     = "1M"
  contents = image.app
}
ota "app" {
  image = image.app
  slots = [partition.ota_0]
  encrypted_package {
    public_key = "keys/p384_pub.pem" # want: Wrong package public key: ota "app": keys/p384_pub.pem: the file holds an EC P-384 public key; an encrypted OTA package is made for an RSA-3072 or an EC P-256 (ECIES) public key
  }
}
