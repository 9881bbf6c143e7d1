package manifest

import "github.com/hashicorp/hcl/v2"

// The schemas are data, not reflection tags, so that unknown attributes and blocks are
// reported by HCL itself with the offending range and a "did you mean" suggestion.

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "espcompose"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "target"},
		{Type: "key", LabelNames: []string{"name"}},
		{Type: "security"},
		{Type: "image", LabelNames: []string{"name"}},
		{Type: "bootloader"},
		{Type: "partition_table"},
		{Type: "partition", LabelNames: []string{"name"}},
		{Type: "nvs", LabelNames: []string{"name"}},
		{Type: "struct", LabelNames: []string{"name"}},
		{Type: "filesystem", LabelNames: []string{"name"}},
		{Type: "ota", LabelNames: []string{"name"}},
		{Type: "cert", LabelNames: []string{"name"}},
		{Type: "devices"},
		{Type: "output"},
	},
}

// blockSchemas maps a block kind (or "parent/child" for nested kinds) to its schema.
var blockSchemas = map[string]*hcl.BodySchema{
	"espcompose": {Attributes: []hcl.AttributeSchema{{Name: "version", Required: true}}},
	"variable": {Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"},
	}},
	"target": {Attributes: []hcl.AttributeSchema{
		{Name: "chip", Required: true}, {Name: "flash_size", Required: true},
		{Name: "flash_mode"}, {Name: "flash_freq"}, {Name: "min_revision"},
	}},
	"key": {
		Attributes: []hcl.AttributeSchema{
			{Name: "algorithm", Required: true}, {Name: "file"}, {Name: "create"},
			{Name: "public_key"}, {Name: "signer"}, {Name: "revoked"}, {Name: "derive_from"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "pkcs11"}},
	},
	"key/pkcs11": {Attributes: []hcl.AttributeSchema{
		{Name: "module", Required: true}, {Name: "token", Required: true},
		{Name: "label", Required: true}, {Name: "pin_env", Required: true},
	}},
	"security": {
		Attributes: []hcl.AttributeSchema{
			{Name: "allow_jtag"}, {Name: "allow_cache_download"}, {Name: "allow_rom_basic"},
			{Name: "aggressive_revoke"}, {Name: "rom_download"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "flash_encryption"}, {Type: "secure_boot"}},
	},
	"security/flash_encryption": {Attributes: []hcl.AttributeSchema{
		{Name: "key", Required: true}, {Name: "mode"}, {Name: "crypt_config"},
		{Name: "device_encrypts"},
	}},
	"security/secure_boot": {Attributes: []hcl.AttributeSchema{
		{Name: "version", Required: true}, {Name: "keys", Required: true},
		{Name: "deterministic"}, {Name: "allow_unused_digest_slots"},
	}},
	"image": {
		Attributes: []hcl.AttributeSchema{{Name: "file", Required: true}, {Name: "secure_version"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "expect"}},
	},
	"image/expect": {Attributes: []hcl.AttributeSchema{
		{Name: "project_name"}, {Name: "version"}, {Name: "idf_version"},
		{Name: "secure_version"}, {Name: "chip"},
	}},
	"bootloader":      {Attributes: []hcl.AttributeSchema{{Name: "image", Required: true}, {Name: "offset"}}},
	"partition_table": {Attributes: []hcl.AttributeSchema{{Name: "offset"}, {Name: "md5"}}},
	"partition": {
		Attributes: []hcl.AttributeSchema{
			{Name: "type", Required: true}, {Name: "subtype", Required: true},
			{Name: "offset"}, {Name: "size", Required: true},
			{Name: "encrypted"}, {Name: "readonly"},
			{Name: "contents"}, {Name: "file"}, {Name: "fill"}, {Name: "boot"}, {Name: "boot_state"},
		},
		Blocks: []hcl.BlockHeaderSchema{{Type: "table"}},
	},
	"partition/table": {
		Attributes: []hcl.AttributeSchema{{Name: "md5"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "partition", LabelNames: []string{"name"}}},
	},
	"nvs": {
		Attributes: []hcl.AttributeSchema{
			{Name: "version"}, {Name: "encrypt_with"}, {Name: "import_csv"}, {Name: "import_csv_base_dir"},
		},
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "namespace", LabelNames: []string{"name"}},
			{Type: "esp_at"},
		},
	},
	"nvs/namespace": {Blocks: []hcl.BlockHeaderSchema{{Type: "entry", LabelNames: []string{"key"}}}},
	"nvs/namespace/entry": {Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true}, {Name: "value"}, {Name: "file"}, {Name: "encoding"},
		{Name: "cert"}, {Name: "item"}, {Name: "format"},
	}},
	"cert": {Attributes: []hcl.AttributeSchema{
		{Name: "ca_key", Required: true}, {Name: "ca_cert", Required: true}, {Name: "algorithm"},
		{Name: "key_file"}, {Name: "derive_from"},
		{Name: "common_name", Required: true}, {Name: "organization"}, {Name: "organizational_unit"},
		{Name: "country"}, {Name: "serial_number"},
		{Name: "dns_names"}, {Name: "uris"}, {Name: "ip_addresses"}, {Name: "emails"},
		{Name: "not_before"}, {Name: "validity", Required: true}, {Name: "server_auth"},
	}},
	"nvs/esp_at": {Attributes: []hcl.AttributeSchema{
		{Name: "raw_data", Required: true}, {Name: "platform", Required: true},
		{Name: "module", Required: true}, {Name: "config"},
	}},
	"struct": {
		Attributes: []hcl.AttributeSchema{{Name: "size", Required: true}, {Name: "fill"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "field", LabelNames: []string{"name"}}},
	},
	"struct/field": {Attributes: []hcl.AttributeSchema{
		{Name: "offset", Required: true}, {Name: "type", Required: true},
		{Name: "size"}, {Name: "value", Required: true},
	}},
	"filesystem": {Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true}, {Name: "dir", Required: true},
		{Name: "page_size"}, {Name: "block_size"}, {Name: "obj_name_len"}, {Name: "meta_len"},
		{Name: "magic"}, {Name: "magic_len"},
		{Name: "sector_size"}, {Name: "fat_count"}, {Name: "root_entries"}, {Name: "fat_type"},
		{Name: "long_names"}, {Name: "volume_id"}, {Name: "label"}, {Name: "source_date_epoch"},
		{Name: "device_id"}, {Name: "wl_mode"},
	}},
	"ota": {
		Attributes: []hcl.AttributeSchema{{Name: "image", Required: true}, {Name: "slots", Required: true}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "encrypted_package"}},
	},
	"ota/encrypted_package": {Attributes: []hcl.AttributeSchema{{Name: "public_key", Required: true}, {Name: "secret"}}},
	"output": {Attributes: []hcl.AttributeSchema{
		{Name: "name"}, {Name: "fill_flash"}, {Name: "hex"}, {Name: "uf2"}, {Name: "merged"}, {Name: "reports"}, {Name: "device_files"},
	}},
	"devices": {Attributes: []hcl.AttributeSchema{{Name: "csv", Required: true}, {Name: "id", Required: true}}},
}
