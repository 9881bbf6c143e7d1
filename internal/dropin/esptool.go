package dropin

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/espcompose/espcompose/format/appimage"
	"github.com/espcompose/espcompose/format/ihex"
	"github.com/espcompose/espcompose/format/merged"
)

// esptoolChips is esptool 4.8.1's --chip list.
var esptoolChips = []string{"auto", "esp8266", "esp32", "esp32s2", "esp32s3beta2", "esp32s3", "esp32c3", "esp32c6beta", "esp32h2beta1", "esp32h2beta2", "esp32c2", "esp32c6", "esp32c61", "esp32c5", "esp32c5beta3", "esp32h2", "esp32p4"}

func esptoolTool() *multiTool {
	g := &parser{prog: "esptool"}
	g.add(&opt{names: []string{"--chip", "-c"}, n: nargsOne, choices: esptoolChips})
	for _, o := range []*opt{
		{names: []string{"--port", "-p"}, n: nargsOne}, {names: []string{"--baud", "-b"}, n: nargsOne},
		{names: []string{"--port-filter"}, n: nargsOne}, {names: []string{"--before"}, n: nargsOne},
		{names: []string{"--after", "-a"}, n: nargsOne}, {names: []string{"--no-stub"}, n: nargsFlag},
		{names: []string{"--trace", "-t"}, n: nargsFlag}, {names: []string{"--override-vddsdio"}, n: nargsOptional},
		{names: []string{"--connect-attempts"}, n: nargsOne},
	} {
		o.serial = true
		g.add(o)
	}
	t := &multiTool{prog: "esptool", banner: appimage.Banner, global: g,
		desc: "esptool.py v4.8.1 - Espressif chips ROM Bootloader Utility (espcompose drop-in: merge_bin,\n" +
			"image_info and version; no serial connection). Outputs are deterministic."}
	serial := "it talks to a chip over a serial port"
	t.outOfScope = map[string]string{}
	for _, s := range []string{"load_ram", "dump_mem", "read_mem", "write_mem", "write_flash", "run", "read_mac", "chip_id", "flash_id", "read_flash_status", "write_flash_status", "read_flash", "verify_flash", "erase_flash", "erase_region", "read_flash_sfdp", "get_security_info"} {
		t.outOfScope[s] = serial
	}
	t.outOfScope["elf2image"] = "espcompose takes the app image ESP-IDF builds and does not convert ELF files"
	t.outOfScope["make_image"] = "espcompose does not assemble images from raw segment files"

	mp := &parser{prog: "esptool merge_bin", positional: []string{"<address> <filename>"}, minPos: 1}
	mp.add(&opt{names: []string{"--output", "-o"}, n: nargsOne, req: true})
	mp.add(&opt{names: []string{"--format", "-f"}, n: nargsOne, choices: []string{"raw", "uf2", "hex"}})
	mp.add(&opt{names: []string{"--chunk-size"}, n: nargsOne, dest: "chunk_size"})
	mp.add(&opt{names: []string{"--md5-disable"}, n: nargsFlag, dest: "md5_disable"})
	mp.add(&opt{names: []string{"--flash_freq", "-ff"}, n: nargsOne, choices: []string{"keep", "80m", "60m", "48m", "40m", "30m", "26m", "24m", "20m", "16m", "15m", "12m"}})
	mp.add(&opt{names: []string{"--flash_mode", "-fm"}, n: nargsOne, choices: []string{"keep", "qio", "qout", "dio", "dout"}})
	mp.add(&opt{names: []string{"--flash_size", "-fs"}, n: nargsOne, choices: []string{"keep", "256KB", "512KB", "1MB", "2MB", "2MB-c1", "4MB", "4MB-c1", "8MB", "16MB", "32MB", "64MB", "128MB"}})
	mp.add(&opt{names: []string{"--spi-connection", "-sc"}, n: nargsOne, dest: "spi_connection", note: "does not change merge_bin's output; ignored"})
	mp.add(&opt{names: []string{"--target-offset", "-t"}, n: nargsOne, dest: "target_offset"})
	mp.add(&opt{names: []string{"--fill-flash-size", "--pad-to-size"}, n: nargsOne, dest: "fill_flash_size", choices: []string{"256KB", "512KB", "1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB"}})
	addV5Aliases(mp)
	t.subs = append(t.subs, &sub{name: "merge_bin", help: "Merge binaries into one flash image (raw, uf2 or hex)", p: mp, pre: mergePairs, run: mergeBin})

	ip := &parser{prog: "esptool image_info", positional: []string{"filename"}, minPos: 1}
	ip.add(&opt{names: []string{"--version", "-v"}, n: nargsOne, choices: []string{"1", "2"}})
	t.subs = append(t.subs, &sub{name: "image_info", help: "Print the fields of an image file (.bin or Intel HEX)", p: ip, inFiles: []string{"filename"}, run: imageInfo})

	vp := &parser{prog: "esptool version"}
	t.subs = append(t.subs, &sub{name: "version", help: "Print esptool version", p: vp, run: func(_ *args, env *Env) error {
		env.printf("4.8.1\n")
		return nil
	}})
	return t
}

func runEsptool(argv []string, env *Env) int { return esptoolTool().run(argv, env) }

func mergeBin(a *args, env *Env) error {
	chip := a.str("chip", "auto")
	if chip == "auto" {
		return fatalf("Please specify the chip argument (choose from %s)", strings.Join(esptoolChips[1:], ", "))
	}
	ins, _ := pairs(a)
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].addr < ins[j].addr })
	opts := merged.Options{Chip: chip, FlashMode: a.str("flash_mode", "keep"), FlashFreq: a.str("flash_freq", "keep"),
		FlashSize: a.str("flash_size", "keep"), Format: merged.Format(a.str("format", "raw")),
		FillFlashSize: a.str("fill_flash_size", ""), DisableMD5: a.has("md5_disable")}
	if s := a.str("chunk_size", ""); s != "" {
		v, err := parseAutoInt(s)
		if err != nil {
			return &usageErr{"esptool merge_bin", fmt.Sprintf("argument --chunk-size: invalid arg_auto_int value: '%s'", s)}
		}
		opts.ChunkSize = int(v)
	}
	if s := a.str("target_offset", ""); s != "" {
		v, err := parseAutoInt(s)
		if err != nil || v > 1<<32-1 {
			return &usageErr{"esptool merge_bin", fmt.Sprintf("argument --target-offset/-t: invalid arg_auto_int value: '%s'", s)}
		}
		opts.TargetOffset = uint32(v)
	}
	if ins[0].addr < opts.TargetOffset {
		return fatalf("Output file target offset is %#x. Input file offset %#x is before this.", opts.TargetOffset, ins[0].addr)
	}
	var parts []merged.Part
	for _, f := range ins {
		data, err := env.read(f.path)
		if err != nil {
			return err
		}
		if data, err = merged.PrepareInput(f.addr, data); err != nil {
			return fatalf("%s: %v", f.path, err)
		}
		parts = append(parts, merged.Part{Addr: f.addr, Data: data, Name: f.path})
	}
	out, events, err := merged.MergeWithEvents(opts, parts)
	if err != nil {
		if errors.Is(err, merged.ErrOverlap) {
			return &usageErr{"esptool merge_bin", err.Error()}
		}
		return fatalf("%v", err)
	}
	byPart := map[string][]string{}
	for _, e := range events {
		byPart[e.Part] = append(byPart[e.Part], e.Message)
	}
	out0 := a.str("output", "")
	if opts.Format == merged.FormatHex && len(parts) == 1 {
		env.printf("WARNING: Only one input file specified, output may include additional padding if input file was previously merged. Please refer to the documentation for more information: https://docs.espressif.com/projects/esptool/en/latest/esptool/basic-commands.html#hex-output-format\n")
	}
	for _, p := range parts {
		if opts.Format == merged.FormatUF2 {
			env.printf("Adding %s at %#x\n", p.Name, p.Addr)
		}
		for _, m := range byPart[p.Name] {
			env.printf("%s\n", m)
		}
	}
	if err := env.write(out0, out, 0o644); err != nil {
		return err
	}
	if opts.Format == merged.FormatUF2 {
		env.printf("Wrote %#x bytes to file %s, ready to be flashed with any ESP USB Bridge\n", len(out), out0)
	} else {
		env.printf("Wrote %#x bytes to file %s, ready to flash to offset %#x\n", len(out), out0, opts.TargetOffset)
	}
	return nil
}

func imageInfo(a *args, env *Env) error {
	b, err := env.read(a.pos[0])
	if err != nil {
		return err
	}
	// esptool 4.x reads an Intel HEX file as the binary it describes, from its
	// lowest address.
	if len(b) > 0 && b[0] == ':' {
		if f, herr := ihex.Decode(b); herr == nil {
			if lo, ok := f.MinAddr(); ok {
				b = f.Binary(lo)
			}
		}
	}
	version := 1 // esptool 4.x's default; v5 made 2 the only format
	if a.str("version", "1") == "2" {
		version = 2
	}
	text, err := appimage.InfoBytes(b, a.str("chip", "auto"), version)
	if err != nil {
		// esptool prints the file size before it reads the image.
		env.printf("File size: %d (bytes)\n", len(b))
		var oe *appimage.OffsetError
		if errors.As(err, &oe) && oe.Detail != "" {
			return fatalf("%s", oe.Detail)
		}
		return fatalf("%v", err)
	}
	env.printf("%s", text)
	return nil
}

type addrFile struct {
	addr uint32
	path string
}

func pairs(a *args) ([]addrFile, error) {
	if len(a.pos)%2 != 0 {
		return nil, pairErr("Must be pairs of an address and the binary filename to write there")
	}
	var ins []addrFile
	for i := 0; i < len(a.pos); i += 2 {
		v, err := parseAutoInt(a.pos[i])
		if err != nil || v > 1<<32-1 {
			return nil, pairErr(fmt.Sprintf("Address \"%s\" must be a number", a.pos[i]))
		}
		ins = append(ins, addrFile{uint32(v), a.pos[i+1]})
	}
	return ins, nil
}

func pairErr(msg string) error {
	return &usageErr{"esptool merge_bin", "argument <address> <filename>: " + msg}
}

// mergePairs is esptool's AddrFilenamePairAction, run while parsing (before the
// banner): pairs, numbers, files that open, and no two inputs in one flash sector.
func mergePairs(a *args, env *Env) error {
	ins, err := pairs(a)
	if err != nil {
		return err
	}
	var parts []merged.Part
	for _, f := range ins {
		data, err := env.read(f.path)
		if err != nil {
			return pairErr(err.Error())
		}
		parts = append(parts, merged.Part{Addr: f.addr, Data: data, Name: f.path})
	}
	if _, err := merged.Merge(merged.Options{Chip: "esp32"}, parts); errors.Is(err, merged.ErrOverlap) {
		msg := strings.TrimPrefix(err.Error(), "merged: inputs overlap: ")
		if i := strings.Index(msg, " ("); i > 0 {
			msg = msg[:i]
		}
		return pairErr(msg)
	}
	return nil
}
