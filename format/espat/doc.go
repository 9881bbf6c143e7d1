// Package espat imports esp-at's customised partition data (the
// components/customized_partitions tree) into the mfg_nvs NVS partition, the
// way esp-at's tools/mfg_nvs.py does: certificate folders under raw_data,
// the factory_param namespace selected by platform and module, and the BLE
// GATT service table. It produces both the CSV that mfg_nvs.py writes and the
// nvs.Partition that nvs_partition_gen builds from it.
package espat
