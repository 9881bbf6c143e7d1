package espat

import (
	"bytes"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/espcompose/espcompose/format/nvs"
)

func tree() fstest.MapFS {
	return fstest.MapFS{
		DependencyFile: {Data: []byte("# comment\n" +
			"AT_BLE_COMMAND_SUPPORT=y ble_data\n\n" +
			"AT_SSL_SERVER_CLIENT_AUTH_SERVER=y   server_cert\n" +
			"AT_FS_COMMAND_SUPPORT=y fs_storage\n" +
			"AT_SSL_CLIENT_CLIENT_AUTH_SERVER=y client_ca\n" +
			"AT_MQTT_CLIENT_AUTH_BROKER=y mqtt_ca\n" +
			"AT_CUSTOMIZED_PARTITION_TABLE_SUPPORT=y factory_param\n" +
			"AT_CUSTOMIZED_PARTITION_TABLE_SUPPORT=y mfg_nvs\n")},
		"raw_data/server_cert/server.crt":               {Data: []byte("CERT")},
		"raw_data/client_ca/ca_01.pem":                  {Data: []byte("CA1")},
		"raw_data/client_ca/ca_00.crt":                  {Data: []byte("CA0")},
		"raw_data/client_ca/notes.txt":                  {Data: []byte("ignored")},
		"raw_data/mqtt_ca/README.md":                    {Data: []byte("only a readme")},
		"raw_data/mqtt_ca/mqtt.key":                     {Data: []byte("KEY")},
		"raw_data/fs_storage/x.crt":                     {Data: []byte("not enabled")},
		"raw_data/ble_data/gatts_data.csv":              {Data: []byte("# index,uuid\n0,16,0x2800,0x01,2,2,A002\n\n1,\"16\",0x2803\n")},
		"raw_data/factory_param/factory_param_type.csv": {Data: []byte("# version information\nversion,data,i8\n\nmodule_name,data,string\nuart_tx_pin,data,i32\n")},
		"raw_data/factory_param/factory_param_data.csv": {Data: []byte(
			"platform,module_name,description,version,uart_tx_pin\n" +
				"PLATFORM_X,MOD,\"4MB, Wi-Fi\",4,17\n" +
				"PLATFORM_X,MOD,duplicate ignored,5,18\n" +
				"PLATFORM_Y,MOD,other,6,19\n")},
	}
}

func TestImportFixture(t *testing.T) {
	res, err := Import(tree(), Config{Platform: "PLATFORM_X", Module: "MOD", Options: []string{
		"AT_BLE_COMMAND_SUPPORT", "CONFIG_AT_SSL_SERVER_CLIENT_AUTH_SERVER", "AT_SSL_CLIENT_CLIENT_AUTH_SERVER",
		"AT_MQTT_CLIENT_AUTH_BROKER", "AT_CUSTOMIZED_PARTITION_TABLE_SUPPORT",
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := `key,type,encoding,value
server_cert,namespace,,
server_cert,file,binary,raw_data/server_cert/server.crt
client_ca,namespace,,
client_ca.0,file,binary,raw_data/client_ca/ca_00.crt
client_ca.1,file,binary,raw_data/client_ca/ca_01.pem
mqtt_ca,namespace,,
mqtt_ca.0,file,binary,raw_data/mqtt_ca/mqtt.key
factory_param,namespace,,
version,data,i8,4
module_name,data,string,"MOD"
uart_tx_pin,data,i32,17
ble_data,namespace,,
cfg0,data,string,"0,16,0x2800,0x01,2,2,A002"
cfg1,data,string,"1,16,0x2803"
`
	if string(res.CSV) != want {
		t.Fatalf("got\n%s\nwant\n%s", res.CSV, want)
	}
	if got := len(res.Partition.Namespaces); got != 5 {
		t.Fatalf("%d namespaces", got)
	}
	if _, err := nvs.Encode(res.Partition, nvs.Options{Size: 0x6000}); err != nil {
		t.Fatal(err)
	}
	fp := res.Partition.Namespaces[3]
	if fp.Name != "factory_param" || fp.Entries[1].Str != "MOD" || fp.Entries[2].Int != 17 {
		t.Fatalf("factory_param: %+v", fp)
	}
}

func TestImportWithoutBLE(t *testing.T) {
	res, err := Import(tree(), Config{Platform: "PLATFORM_Y", Module: "MOD"})
	if err != nil {
		t.Fatal(err)
	}
	want := "key,type,encoding,value\nfactory_param,namespace,,\nversion,data,i8,6\nmodule_name,data,string,\"MOD\"\nuart_tx_pin,data,i32,19\n"
	if string(res.CSV) != want {
		t.Fatalf("got\n%s", res.CSV)
	}
}

func TestImportErrors(t *testing.T) {
	if _, err := Import(tree(), Config{Platform: "PLATFORM_Z", Module: "MOD"}); !errors.Is(err, ErrFactoryParam) {
		t.Fatalf("unknown module: %v", err)
	}
	fsys := tree()
	fsys["raw_data/factory_param/factory_param_type.csv"] = &fstest.MapFile{Data: []byte("missing,data,u8\n")}
	if _, err := Import(fsys, Config{Platform: "PLATFORM_X", Module: "MOD"}); !errors.Is(err, ErrFactoryParam) {
		t.Fatalf("missing column: %v", err)
	}
	fsys = tree()
	fsys[DependencyFile] = &fstest.MapFile{Data: []byte("AT_X=y\n")}
	if _, err := Import(fsys, Config{}); !errors.Is(err, ErrDependency) {
		t.Fatalf("bad dependency file: %v", err)
	}
	fsys = tree()
	fsys["raw_data/factory_param/factory_param_data.csv"] = &fstest.MapFile{Data: []byte("platform,module_name,version,module_name,uart_tx_pin\nP,M,300,M,1\n")}
	if _, err := Import(fsys, Config{Platform: "P", Module: "M"}); !errors.Is(err, nvs.ErrRange) {
		t.Fatalf("out-of-range factory value: %v", err)
	}
	if _, _, err := ParseModuleInfo([]byte(`{"platform": "P"}`)); !errors.Is(err, ErrModuleInfo) {
		t.Fatalf("module info: %v", err)
	}
}

func TestOptionsFromSdkconfig(t *testing.T) {
	got := OptionsFromSdkconfig([]byte("CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=\"y\"\nCONFIG_D=y\r\n"))
	if len(got) != 2 || got[0] != "A" || got[1] != "D" {
		t.Fatalf("got %q", got)
	}
}

// FuzzImport feeds arbitrary factory parameter tables to the importer; it may
// fail but must not panic, and what it imports must encode.
func FuzzImport(f *testing.F) {
	f.Add([]byte("platform,module_name,version\nPLATFORM_X,MOD,4\n"), []byte("version,data,i8\n"))
	f.Add([]byte("platform,module_name,module_name\nPLATFORM_X,MOD,\"a\"\"b\"\n"), []byte("module_name,data,string\n"))
	f.Fuzz(func(t *testing.T, data, types []byte) {
		fsys := tree()
		fsys["raw_data/factory_param/factory_param_data.csv"] = &fstest.MapFile{Data: data}
		fsys["raw_data/factory_param/factory_param_type.csv"] = &fstest.MapFile{Data: types}
		res, err := Import(fsys, Config{Platform: "PLATFORM_X", Module: "MOD", Options: []string{"AT_BLE_COMMAND_SUPPORT"}})
		if err != nil {
			return
		}
		if !bytes.HasPrefix(res.CSV, []byte("key,type,encoding,value\n")) {
			t.Fatal("header missing")
		}
		_, _ = nvs.Encode(res.Partition, nvs.Options{Size: 0x10000})
	})
}

func BenchmarkImport(b *testing.B) {
	fsys := tree()
	cfg := Config{Platform: "PLATFORM_X", Module: "MOD", Options: []string{"AT_BLE_COMMAND_SUPPORT", "AT_SSL_CLIENT_CLIENT_AUTH_SERVER"}}
	for b.Loop() {
		if _, err := Import(fsys, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
