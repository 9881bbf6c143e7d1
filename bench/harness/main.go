// Command harness times commands in alternation: round after round, each command once,
// so load that comes and goes on a shared machine falls on every command alike, and
// ratios between them are taken from the same stretch of time. It is bench/run.sh's
// timer; a module of its own, so `go test ./...` of espcompose never builds or runs it.
//
// usage: harness [-runs N] [-warmup N] SPEC
//
// SPEC has one command per line: LABEL<TAB>PREPARE<TAB>COMMAND. PREPARE runs through
// `sh -c` before each timed run, untimed ("-" for none). COMMAND is split into words
// (single and double quotes, backslash) and executed directly, with no shell in
// between, its output discarded; a failing run is reported and ends the measurement.
//
// Output, one line per command: LABEL median_ms mean_ms stddev_ms min_ms max_rss_kb
// cpu_ms, where max_rss_kb is the largest peak resident set size (getrusage ru_maxrss
// of the command: for a pipeline script, its largest process) over the runs and cpu_ms
// the median user+system CPU time of the command and the children it waited for. Wall
// time minus CPU time is waiting: for the disk, or for a core on a busy machine.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

type command struct {
	label, prepare string
	argv           []string
	times          []float64 // ms
	cpu            []float64 // ms
	maxRSS         int64     // KiB
}

func main() {
	runs := flag.Int("runs", 10, "timed runs per command")
	warmup := flag.Int("warmup", 1, "untimed rounds first")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: harness [-runs N] [-warmup N] SPEC")
		os.Exit(2)
	}
	cmds, err := readSpec(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	for round := 0; round < *warmup+*runs; round++ {
		for _, c := range cmds {
			ms, cpu, rss, err := c.run()
			if err != nil {
				fmt.Fprintf(os.Stderr, "harness: %s: %v\n", c.label, err)
				os.Exit(1)
			}
			if round >= *warmup {
				c.times = append(c.times, ms)
				c.cpu = append(c.cpu, cpu)
				c.maxRSS = max(c.maxRSS, rss)
			}
		}
	}
	for _, c := range cmds {
		med, mean, sd, mn := stats(c.times)
		cpu, _, _, _ := stats(c.cpu)
		fmt.Printf("%s %.2f %.2f %.2f %.2f %d %.2f\n", c.label, med, mean, sd, mn, c.maxRSS, cpu)
	}
}

func (c *command) run() (ms, cpuMS float64, rssKiB int64, err error) {
	if c.prepare != "" && c.prepare != "-" {
		if out, err := exec.Command("sh", "-c", c.prepare).CombinedOutput(); err != nil {
			return 0, 0, 0, fmt.Errorf("prepare: %v\n%s", err, out)
		}
	}
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rssKiB = int64(ru.Maxrss)
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return float64(elapsed.Nanoseconds()) / 1e6, float64(cpu.Nanoseconds()) / 1e6, rssKiB, nil
}

func stats(v []float64) (median, mean, sd, min float64) {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return
	}
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	for _, x := range s {
		mean += x
	}
	mean /= float64(n)
	for _, x := range s {
		sd += (x - mean) * (x - mean)
	}
	return median, mean, math.Sqrt(sd / float64(n)), s[0]
}

func readSpec(name string) ([]*command, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cmds []*command
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s:%d: want LABEL<TAB>PREPARE<TAB>COMMAND", name, line)
		}
		argv, err := words(parts[2])
		if err != nil || len(argv) == 0 {
			return nil, fmt.Errorf("%s:%d: command: %v", name, line, err)
		}
		cmds = append(cmds, &command{label: parts[0], prepare: parts[1], argv: argv})
	}
	return cmds, sc.Err()
}

// words splits s as a shell would split a simple command: blanks separate words,
// single quotes keep everything, double quotes keep all but \" and \\, a backslash
// escapes the next character. No expansion of any kind.
func words(s string) ([]string, error) {
	var out []string
	var w strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			if in {
				out = append(out, w.String())
				w.Reset()
				in = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			in = true
		case c == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
			in = true
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, w.String())
	}
	return out, nil
}
