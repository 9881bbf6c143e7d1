partition "nvs" { # want: Missing target block
  type    = "data"
  subtype = "nvs"
  size    = "24K"
}

espcompose { version = 1 }
