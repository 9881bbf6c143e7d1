package nvs_test

import (
	"fmt"
	"strings"

	"github.com/espcompose/espcompose/format/nvs"
)

func Example() {
	csv := "key,type,encoding,value\nstorage,namespace,,\nboot_count,data,u32,7\ngreeting,data,string,hello\n"
	p, err := nvs.ParseCSV(strings.NewReader(csv), "nvs.csv", nil)
	if err != nil {
		panic(err)
	}
	img, err := nvs.Encode(p, nvs.Options{Size: 0x3000})
	if err != nil {
		panic(err)
	}
	d, err := nvs.Decode(img, nil)
	if err != nil {
		panic(err)
	}
	for _, ns := range d.Partition.Namespaces {
		for _, e := range ns.Entries {
			switch e.Type {
			case nvs.String:
				fmt.Printf("%s/%s %s %q\n", ns.Name, e.Key, e.Type, e.Str)
			default:
				fmt.Printf("%s/%s %s %d\n", ns.Name, e.Key, e.Type, e.Uint)
			}
		}
	}
	fmt.Println(len(img), "bytes, version", d.Version)
	// Output:
	// storage/boot_count u32 7
	// storage/greeting string "hello"
	// 12288 bytes, version 2
}
