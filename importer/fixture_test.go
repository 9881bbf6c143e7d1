package importer

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/espcompose/espcompose/format/parttable"
	"github.com/espcompose/espcompose/internal/testimage"
)

var updateFixture = flag.Bool("update", false, "rewrite testdata/idf-project from the generator")

// fixtureCSV is the project's partitions.csv; the build's partition-table.bin is made
// from it with the project's gen_esp32part codec, as ESP-IDF's build makes it.
const fixtureCSV = `# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     ,        0x4000,
otadata,  data, ota,     ,        0x2000,
phy_init, data, phy,     ,        0x1000,
ota_0,    app,  ota_0,   0x20000, 1M,
ota_1,    app,  ota_1,   ,        1M,
storage,  data, spiffs,  ,        0x10000,
`

// fixtureFlasherArgs is laid out exactly as components/esptool_py/flasher_args.json.in
// and esptool_py_flash_target_image expand it (esp-idf
// 102122904ade11fd1ae373848f34ffd7dfb18aeb), for a project "hello" with an OTA table
// and a storage image flashed with the project (FLASH_IN_PROJECT).
const fixtureFlasherArgs = `{
    "write_flash_args" : [ "--flash-mode", "dio",
                           "--flash-size", "4MB",
                           "--flash-freq", "80m" ],
    "flash_settings" : {
        "flash_mode": "dio",
        "flash_size": "4MB",
        "flash_freq": "80m"
    },
    "flash_files" : {
        "0x0" : "bootloader/bootloader.bin",
        "0x20000" : "hello.bin",
        "0x8000" : "partition_table/partition-table.bin",
        "0xd000" : "ota_data_initial.bin",
        "0x220000" : "storage.bin"
    },
    "bootloader" : { "offset" : "0x0", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "0x20000", "file" : "hello.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "otadata" : { "offset" : "0xd000", "file" : "ota_data_initial.bin", "encrypted" : "false" },
    "storage" : { "offset" : "0x220000", "file" : "storage.bin", "encrypted" : "false" },
    "extra_esptool_args" : {
        "after"  : "hard_reset",
        "before" : "default_reset",
        "stub"   : true,
        "chip"   : "esp32c3"
    }
}
`

// fixtureSDKConfigJSON is the part of build/config/sdkconfig.json the import reads,
// in confgen's format (names unprefixed, typed values).
const fixtureSDKConfigJSON = `{
    "ESPTOOLPY_FLASHSIZE": "4MB",
    "IDF_TARGET": "esp32c3",
    "NVS_ENCRYPTION": false,
    "PARTITION_TABLE_CUSTOM": true,
    "PARTITION_TABLE_CUSTOM_FILENAME": "partitions.csv",
    "PARTITION_TABLE_FILENAME": "partitions.csv",
    "PARTITION_TABLE_MD5": true,
    "PARTITION_TABLE_OFFSET": 32768,
    "SECURE_BOOT": false,
    "SECURE_FLASH_ENC_ENABLED": false
}
`

const fixtureProjectDescription = `{
    "version":            "1.3",
    "project_name":       "hello",
    "project_version":    "1.0.0",
    "project_path":       "/home/dev/hello",
    "idf_path":           "/opt/esp-idf",
    "build_dir":          "/home/dev/hello/build",
    "config_file":        "/home/dev/hello/sdkconfig",
    "app_bin":            "hello.bin",
    "target":             "esp32c3"
}
`

// fixtureFiles generates the synthetic ESP-IDF project: the files by path.
func fixtureFiles(t testing.TB) map[string][]byte {
	t.Helper()
	spec := testimage.AppSpec{Chip: "esp32c3", FlashMode: "dio", FlashFreq: "80m", FlashSize: "4MB"}
	bl, err := testimage.BootloaderWith(spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.Project, spec.Version = "hello", "1.0.0"
	app, err := testimage.App(spec)
	if err != nil {
		t.Fatal(err)
	}
	table, err := parttable.ParseCSV(bytes.NewReader([]byte(fixtureCSV)), "partitions.csv", parttable.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := parttable.Encode(table, parttable.Options{FlashSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	storage := make([]byte, 0x3000)
	for i := range storage {
		storage[i] = byte(i*7 + i>>8)
	}
	return map[string][]byte{
		"partitions.csv":                            []byte(fixtureCSV),
		"build/flasher_args.json":                   []byte(fixtureFlasherArgs),
		"build/config/sdkconfig.json":               []byte(fixtureSDKConfigJSON),
		"build/project_description.json":            []byte(fixtureProjectDescription),
		"build/bootloader/bootloader.bin":           bl,
		"build/hello.bin":                           app,
		"build/partition_table/partition-table.bin": pt,
		"build/ota_data_initial.bin":                bytes.Repeat([]byte{0xFF}, parttable.OTADataSize),
		"build/storage.bin":                         storage,
	}
}

// The committed fixture is what the generator makes (go test ./importer -update).
func TestIDFFixtureIsGenerated(t *testing.T) {
	root := filepath.Join("testdata", "idf-project")
	files := fixtureFiles(t)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(root, n)
		if *updateFixture {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, files[n], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (regenerate with go test ./importer -run TestIDFFixtureIsGenerated -update)", err)
		}
		if !bytes.Equal(got, files[n]) {
			t.Errorf("%s differs from the generator (go test ./importer -run TestIDFFixtureIsGenerated -update)", p)
		}
	}
}
