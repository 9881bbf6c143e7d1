espcompose { version = 1 }

variable "serial" { # want: Variable "serial" has no default
  type = string
}
target {
  chip       = "esp32c3"
  flash_size = "4MB"
}
