package parttable

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/espcompose/espcompose/internal/conformance"
)

// toolRun is one gen_esp32part invocation decoded from a case's argv.
type toolRun struct {
	opts          Options
	input, output string
}

// parseToolArgv reads gen_esp32part's options from argv, so that every case
// (including the hidden set) is driven by its command, not by its name.
func parseToolArgv(t *testing.T, argv []string) toolRun {
	t.Helper()
	i := 0
	for i < len(argv) && !strings.HasSuffix(argv[i], "gen_esp32part.py") {
		i++
	}
	if i == len(argv) {
		t.Fatalf("not a gen_esp32part command: %q", argv)
	}
	args := argv[i+1:]
	var run toolRun
	var pos []string
	num := func(s string) uint32 {
		v, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			t.Fatalf("bad number %q in %q", s, argv)
		}
		return uint32(v)
	}
	for k := 0; k < len(args); k++ {
		a := args[k]
		next := func() string {
			k++
			if k >= len(args) {
				t.Fatalf("option %s without value in %q", a, argv)
			}
			return args[k]
		}
		name, val, hasVal := strings.Cut(a, "=")
		if hasVal {
			next = func() string { return val }
		}
		switch name {
		case "--offset", "-o":
			run.opts.Offset = num(next())
		case "--flash-size":
			mb, err := strconv.Atoi(strings.TrimSuffix(next(), "MB"))
			if err != nil {
				t.Fatalf("bad flash size in %q", argv)
			}
			run.opts.FlashSize = uint32(mb) << 20
		case "--disable-md5sum":
			run.opts.DisableMD5 = true
		case "--secure":
			switch v := strings.ToLower(next()); v {
			case "v1":
				run.opts.SecureBoot = 1
			case "v2":
				run.opts.SecureBoot = 2
			default:
				t.Fatalf("bad --secure %q", v)
			}
		case "--primary-bootloader-offset":
			run.opts.PrimaryBootloaderOffset = new(num(next()))
		case "--recovery-bootloader-offset":
			run.opts.RecoveryBootloaderOffset = new(num(next()))
		case "--extra-partition-subtypes":
			// Each entry is "type, name, value"; the option eats all of them.
			for first := true; first || (k+1 < len(args) && strings.Contains(args[k+1], ",")); first = false {
				x, err := ParseExtraSubtype(next())
				if err != nil {
					t.Fatalf("%v", err)
				}
				run.opts.ExtraSubtypes = append(run.opts.ExtraSubtypes, x)
			}
		case "--quiet", "-q", "--verify", "-v":
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("unhandled gen_esp32part option %q", a)
			}
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		t.Fatalf("want input and output in %q", argv)
	}
	run.input, run.output = pos[0], pos[1]
	return run
}

// convert does what the tool does with an input file: binary in, CSV out;
// CSV in, binary out.
func convert(in []byte, name string, opts Options) ([]byte, error) {
	if IsBinary(in) {
		t, err := Decode(in)
		if err != nil {
			return nil, err
		}
		if err := t.ValidateBinary(opts); err != nil {
			return nil, err
		}
		var b bytes.Buffer
		err = t.WriteCSV(&b, opts)
		return b.Bytes(), err
	}
	t, err := ParseCSV(bytes.NewReader(in), name, opts)
	if err != nil {
		return nil, err
	}
	return Encode(t, opts)
}

type caseCommands struct {
	Commands []struct {
		Argv     []string `json:"argv"`
		ExitCode int      `json:"exit_code"`
	} `json:"commands"`
	ReverseCommand []string `json:"reverse_command"`
}

func runCommand(t *testing.T, c conformance.Case, argv []string) {
	t.Helper()
	run := parseToolArgv(t, argv)
	got, err := convert(c.File(t, run.input), run.input, run.opts)
	if err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	want := c.File(t, run.output)
	if !bytes.Equal(got, want) {
		t.Errorf("%q: output differs from %s\n got: %q\nwant: %q", argv, run.output, clip(got), clip(want))
	}
}

func clip(b []byte) []byte {
	if len(b) > 512 {
		return b[:512]
	}
	return b
}

func TestConformance(t *testing.T) {
	for _, c := range conformance.Load(t, "parttable") {
		t.Run(c.Name, func(t *testing.T) {
			var cc caseCommands
			c.Decode(t, &cc)
			if c.ExpectedError {
				run := parseToolArgv(t, c.Command)
				_, err := convert(c.File(t, run.input), run.input, run.opts)
				if err == nil {
					t.Fatalf("%q succeeded, want error containing %q", c.Command, c.ErrorContains)
				}
				if !strings.Contains(err.Error(), c.ErrorContains) {
					t.Fatalf("error %q does not contain %q", err, c.ErrorContains)
				}
				var pe *Error
				if !errors.As(err, &pe) || errors.Unwrap(err) == nil {
					t.Fatalf("error %v is not a wrapped *Error", err)
				}
				return
			}
			runCommand(t, c, c.Command)
			if len(cc.ReverseCommand) > 0 {
				runCommand(t, c, cc.ReverseCommand)
			}
			for _, cmd := range cc.Commands {
				runCommand(t, c, cmd.Argv)
			}
		})
	}
}

// TestConformanceEspAT reproduces the gen_esp32part outputs of the esp-at
// cases and checks that the secondary table can be planned inside its parent
// partition with Place.
func TestConformanceEspAT(t *testing.T) {
	for _, c := range conformance.Load(t, "espat") {
		t.Run(c.Name, func(t *testing.T) {
			var cc caseCommands
			c.Decode(t, &cc)
			ran := 0
			for _, cmd := range cc.Commands {
				if len(cmd.Argv) > 1 && filepath.Base(cmd.Argv[1]) == "gen_esp32part.py" {
					runCommand(t, c, cmd.Argv)
					ran++
				}
			}
			if ran == 0 {
				t.Fatal("no gen_esp32part command in case")
			}
			checkNestedPlacement(t, c)
		})
	}
}

// checkNestedPlacement plans at_customize.csv's entries inside the parent
// partition of type 0x40 found in partitions_at.csv, then encodes the child
// table with the parent's offset as table offset: the bytes must still be
// at_customize.bin.
func checkNestedPlacement(t *testing.T, c conformance.Case) {
	var parentCSV, childCSV string
	for _, in := range c.Inputs {
		switch filepath.Base(in) {
		case "partitions_at.csv":
			parentCSV = in
		case "at_customize.csv":
			childCSV = in
		}
	}
	if parentCSV == "" || childCSV == "" {
		return
	}
	parent, err := ParseCSV(bytes.NewReader(c.File(t, parentCSV)), parentCSV, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var at *Entry
	for i := range parent.Entries {
		if parent.Entries[i].Type == 0x40 {
			at = &parent.Entries[i]
		}
	}
	if at == nil {
		t.Fatal("no type 0x40 partition in parent table")
	}
	child, err := ParseCSV(bytes.NewReader(c.File(t, childCSV)), childCSV, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Place(child.Entries, at.Offset+SectorSize, at.Offset+at.Size); err != nil {
		t.Fatalf("children do not fit in %s: %v", at.Name, err)
	}
	got, err := Encode(child, Options{Offset: at.Offset})
	if err != nil {
		t.Fatal(err)
	}
	if want := c.File(t, "at_customize.bin"); !bytes.Equal(got, want) {
		t.Error("nested encode differs from at_customize.bin")
	}
}
