package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/espcompose/espcompose/format/nvs"
	"github.com/espcompose/espcompose/outputs"
)

func (a *app) newInspectCommand() *cobra.Command {
	var keyFile, nvsKeyFile, hmacKeyFile, chip, tableOffset, address, as string
	var cryptConf int
	cmd := &cobra.Command{
		Use:   "inspect IMAGE.bin",
		Short: "Read a merged flash image back: tables, images, otadata, NVS; decrypts with --key",
		Long: `Read a merged flash image back: partition tables (nested ones included, at most
` + fmt.Sprint(outputs.MaxTableDepth) + ` deep and ` + fmt.Sprint(outputs.MaxTables) + ` in all), the bootloader and app images with their checksums,
hashes and Secure Boot V2 signatures, otadata, nvs_keys and NVS entries.

Each region is marked plaintext, ciphertext or erased, with the reason ("regions" in
--json). With --key and no --chip, the chip is found by trying each chip's flash
encryption scheme at its bootloader offset.

A single partition dump (esptool read_flash ADDR SIZE) or OTA-slot artifact is read on
its own when the input is not a whole flash, or with --as or --address: an app image,
NVS, otadata or a partition table. An encrypted app artifact finds its slot by itself;
give --address for other encrypted dumps. --nvs-hmac-key decrypts NVS encrypted under the
HMAC scheme (keys derived from the eFuse HMAC key, as the device derives them).

Every problem is listed as a finding (text, or "findings" in --json output). Exit status:
0 when there is none, 1 when the image fails a check, 2 when the input is not a flash image
(empty, or no partition table at the table offset) nor a region inspect can read.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			img, err := a.readInput(args[0])
			if err != nil {
				return err
			}
			opts := outputs.InspectOptions{Chip: chip}
			if tableOffset != "" {
				if opts.TableOffset, err = parseAddr("--table-offset", tableOffset); err != nil {
					return err
				}
			}
			if keyFile != "" {
				if opts.FlashKey, err = a.readInput(keyFile); err != nil {
					return err
				}
				defer clear(opts.FlashKey)
			}
			if cryptConf >= 0 {
				v := uint8(cryptConf)
				opts.CryptConfig = &v
			}
			if nvsKeyFile != "" && hmacKeyFile != "" {
				return usagef("--nvs-keys and --nvs-hmac-key: give one")
			}
			if nvsKeyFile != "" {
				raw, err := a.readInput(nvsKeyFile)
				if err != nil {
					return err
				}
				k, err := nvs.ParseKeyPartition(raw)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", nvsKeyFile, err)}
				}
				opts.NVSKeys = &k
			}
			if hmacKeyFile != "" {
				raw, err := a.readInput(hmacKeyFile)
				if err != nil {
					return err
				}
				k, err := nvs.DeriveHMACKeys(raw)
				clear(raw)
				if err != nil {
					return usageError{fmt.Errorf("%s: %w", hmacKeyFile, err)}
				}
				opts.NVSKeys = &k
			}
			in, err := a.inspectAny(img, opts, address, as)
			if err != nil {
				return usageError{fmt.Errorf("%s: %w", args[0], err)}
			}
			// The report goes out in full, findings included, whatever the exit code.
			if a.json {
				a.setResult(in)
			} else {
				printInspection(a, in)
			}
			return inspectVerdict(args[0], in)
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyFile, "key", "", "flash encryption key, to read encrypted regions")
	f.StringVar(&nvsKeyFile, "nvs-keys", "", "nvs_keys partition image, to decode encrypted NVS")
	f.StringVar(&hmacKeyFile, "nvs-hmac-key", "", "32-byte eFuse HMAC key, to decode NVS encrypted under the HMAC scheme")
	f.StringVar(&address, "address", "", "flash offset of a single partition dump or OTA-slot artifact")
	f.StringVar(&as, "as", "", "read the input as one region: app, nvs, otadata or table")
	f.StringVar(&chip, "chip", "", "chip (default: from the bootloader header)")
	f.StringVar(&tableOffset, "table-offset", "", "partition table offset (default 0x8000)")
	f.IntVar(&cryptConf, "flash-crypt-conf", -1, "ESP32 FLASH_CRYPT_CONFIG (default 0xF)")
	return cmd
}

// inspectVerdict turns the findings into the exit status: 2 for input that is not
// a flash image, 1 for an image that fails a check.
func inspectVerdict(name string, in *outputs.Inspection) error {
	switch {
	case in.NotAnImage():
		for _, f := range in.Findings {
			if f.Severity == outputs.Fatal {
				return usagef("%s: not an ESP flash image: %s", name, f.Message)
			}
		}
	case in.Failed():
		return fmt.Errorf("%s: %d check(s) failed, first: %s", name, len(in.Findings), in.Findings[0].Message)
	}
	return nil
}

func printInspection(a *app, in *outputs.Inspection) {
	defer printFindings(a, in)
	chip := in.Chip
	if chip == "" {
		chip = "unknown"
	}
	if in.ChipDetected == "decryption" {
		chip += " (found by decrypting with the key)"
	}
	if in.Kind == "region" {
		printRegion(a, in, chip)
		return
	}
	fmt.Fprintf(a.stdout, "Image: %d bytes, chip %s, flash encryption %s\n", in.Size, chip, map[bool]string{true: "on", false: "off"}[in.Encrypted])
	if in.NotAnImage() {
		return
	}
	defer printRegions(a, in)
	if b := in.Bootloader; b != nil {
		fmt.Fprintf(a.stdout, "Bootloader: %d bytes, %s %s %s, checksum %s, sha256 %s%s\n",
			b.Length, b.FlashMode, b.FlashFreq, b.FlashSize, okBad(b.ChecksumOK), sha256Text(b), signatureText(b))
	}
	for _, t := range in.Tables {
		where := "primary"
		if t.Parent != "" {
			where = "secondary, in " + t.Parent
		}
		fmt.Fprintf(a.stdout, "Partition table at 0x%x (%s): %d entries\n", t.Offset, where, t.Entries)
	}
	fmt.Fprintln(a.stdout)
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFSET\tSIZE\tNAME\tTYPE\tENCRYPTED\tCONTENTS")
	for _, p := range in.Partitions {
		name := p.Name
		if p.Parent != "" {
			name = "  " + name
		}
		fmt.Fprintf(tw, "0x%06x\t0x%06x\t%s\t%s\t%s\t%s\n", p.Offset, p.Size, name, p.TypeName, yesNo(p.Encrypted), describePartition(p))
	}
	tw.Flush()
	for _, p := range in.Partitions {
		if len(p.NVS) == 0 {
			continue
		}
		fmt.Fprintf(a.stdout, "\nNVS %s:\n", p.Name)
		for _, e := range p.NVS {
			fmt.Fprintf(a.stdout, "  %s/%s (%s) = %s\n", e.Namespace, e.Key, e.Type, e.Value)
		}
	}
	printFilesystems(a, in)
}

func printFindings(a *app, in *outputs.Inspection) {
	if len(in.Findings) == 0 {
		fmt.Fprintln(a.stdout, "\nFindings: none")
		return
	}
	fmt.Fprintf(a.stdout, "\nFindings: %d\n", len(in.Findings))
	for _, f := range in.Findings {
		fmt.Fprintf(a.stdout, "  %s %s at 0x%06x: %s\n", strings.ToUpper(string(f.Severity)), f.Code, f.Offset, f.Message)
	}
}

// sha256Text says whether an appended SHA-256 matches, or that there is none.
func sha256Text(img *outputs.ImageSummary) string {
	if !img.SHA256Appended {
		return "none"
	}
	return okBad(img.SHA256OK)
}

func okBad(b bool) string {
	if b {
		return "ok"
	}
	return "BAD"
}

func describePartition(p outputs.PartitionSummary) string {
	switch {
	case p.Problem != "":
		return "problem: " + p.Problem
	case p.Erased:
		return "erased"
	case p.NVSKeys:
		return "NVS encryption keys (CRC ok)"
	case p.Filesystem != nil:
		return describeFilesystem(p.Filesystem)
	case p.SubTable > 0:
		return fmt.Sprintf("secondary partition table (%d entries)", p.SubTable)
	case p.Image != nil:
		s := fmt.Sprintf("app %q %s, %d bytes, checksum %s, sha256 %s", p.Image.Project, p.Image.Version, p.Image.Length, okBad(p.Image.ChecksumOK), sha256Text(p.Image))
		return s + signatureText(p.Image)
	case p.OTAData != nil:
		if p.OTAData.Slot < 0 {
			return "otadata: no slot selected (boots factory / ota_0)"
		}
		return fmt.Sprintf("otadata: boots ota_%d", p.OTAData.Slot)
	case len(p.NVS) > 0:
		ns := map[string]bool{}
		for _, e := range p.NVS {
			ns[e.Namespace] = true
		}
		return fmt.Sprintf("NVS: %d entries in %d namespaces", len(p.NVS), len(ns))
	}
	return "data"
}

// signatureText summarises Secure Boot V2 blocks: valid means the signature verifies
// with the block's key and covers this image; the device also needs that key's digest
// in eFuse.
func signatureText(img *outputs.ImageSummary) string {
	if len(img.Signatures) == 0 {
		return ", unsigned"
	}
	var parts []string
	for i, s := range img.Signatures {
		state := "valid"
		if !s.Valid {
			state = "INVALID: " + s.Problem
		}
		parts = append(parts, fmt.Sprintf("sig %d %s key %s… %s", i, s.Scheme, s.KeyDigest[:min(16, len(s.KeyDigest))], state))
	}
	return ", " + strings.Join(parts, "; ")
}
