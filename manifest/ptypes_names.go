package manifest

// TEMPORARY until format/parttable exports its name tables.
var tmpTypes = map[string]uint8{"app": 0, "data": 1, "bootloader": 2, "partition_table": 3}
var tmpSubtypes = map[uint8]map[string]uint8{
	0: {"factory": 0, "test": 0x20, "ota_0": 0x10, "ota_1": 0x11, "ota_2": 0x12, "ota_3": 0x13},
	1: {"ota": 0, "phy": 1, "nvs": 2, "coredump": 3, "nvs_keys": 4, "efuse": 5, "undefined": 6, "esphttpd": 0x80, "fat": 0x81, "spiffs": 0x82, "littlefs": 0x83},
}

func partitionTypeByName(n string) (uint8, bool) { t, ok := tmpTypes[n]; return t, ok }
func partitionTypeNames() []string                { return []string{"app", "data", "bootloader", "partition_table"} }
func partitionSubtypeByName(t uint8, n string) (uint8, bool) {
	st, ok := tmpSubtypes[t][n]
	return st, ok
}
func partitionSubtypeNames(t uint8) []string {
	var out []string
	for k := range tmpSubtypes[t] {
		out = append(out, k)
	}
	return out
}
