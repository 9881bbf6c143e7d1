package importer

import (
	"fmt"

	"github.com/espcompose/espcompose/format/appimage"
)

// Starter returns the commented manifest `espcompose init` writes for chip. It
// validates as written: the blocks that need files of the user's (images, keys) are
// comments to uncomment, and the partitions that remain are the ones ESP-IDF's default
// "single factory app" table has.
func Starter(chip string) ([]byte, error) {
	c, err := appimage.LookupChip(chip)
	if err != nil {
		return nil, err
	}
	return []byte(fmt.Sprintf(starterText, c.Name, c.BootloaderOffset)), nil
}

const starterText = `# espcompose manifest: one file that says what goes where in flash.
# Check it with ` + "`espcompose validate`" + `, see the flash map with ` + "`espcompose plan`" + `,
# and build dist/ with ` + "`espcompose build`" + `. Reference: docs/manifest.md.
#
# Starting from an ESP-IDF project? ` + "`espcompose init --from-idf build`" + ` imports a build.
espcompose {
  version = 1
}

target {
  chip       = %[1]q
  flash_size = "4MB"
  flash_mode = "dio" # written into the bootloader header before it is hashed or signed
  # flash_freq = "80m"   # the chip's choices, e.g. 80m 40m (esp32c2: 60m 30m; esp32h2: 48m 24m)
}

# The images to place. Uncomment and point them at your build, e.g. ESP-IDF's build/.
# image "bootloader" {
#   file = "build/bootloader/bootloader.bin"
# }
#
# image "app" {
#   file = "build/app.bin"
# }
#
# bootloader {
#   image = image.bootloader # placed at 0x%[2]x on this chip
# }

partition_table {
  offset = 0x8000 # ESP-IDF's default (CONFIG_PARTITION_TABLE_OFFSET)
}

# ESP-IDF's "single factory app" table. Partitions without an offset are placed as
# gen_esp32part places them.
partition "nvs" {
  type    = "data"
  subtype = "nvs"
  size    = "24K"
}

partition "phy_init" {
  type    = "data"
  subtype = "phy"
  size    = "4K"
}

partition "factory" {
  type    = "app"
  subtype = "factory"
  size    = "1M"
  # contents = image.app
}

# Security, when the product needs it (see README, "Keys and security"):
# key "flash" {
#   algorithm = "xts-aes-128"
#   file      = "keys/flash.bin"
#   create    = true # made once with mode 0600, never replaced
# }
# security {
#   flash_encryption {
#     key  = key.flash
#     mode = "release"
#   }
# }

output {
  name = "firmware" # dist/firmware-factory.bin
}
`
