// Package cmake_test builds the CMake test project (integrations/cmake/test) with the
// espcompose binary of this tree, under Ninja and Make: the first build makes the
// image, a second build runs nothing, and editing a file only the depfile names
// rebuilds it.
package cmake_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/espcompose/espcompose/internal/testfs"
	"github.com/espcompose/espcompose/internal/testimage"
)

// needTool skips without the tool, except in CI (CI=true), where its absence is a
// broken setup (scripts/install-test-deps.sh installs cmake and ninja-build).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed but CI=true: scripts/install-test-deps.sh installs it", name)
		}
		t.Skipf("%s not installed (apt-get install cmake ninja-build)", name)
	}
	return p
}

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// espcomposeBin compiles cmd/espcompose of this tree once for the package's tests.
func espcomposeBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "espcompose-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "espcompose")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", binPath, "./cmd/espcompose")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestCMakeProject(t *testing.T) {
	cmake := needTool(t, "cmake")
	bin := espcomposeBin(t)
	gens := []string{"Ninja", "Unix Makefiles"}
	for _, gen := range gens {
		t.Run(strings.ReplaceAll(gen, " ", "_"), func(t *testing.T) {
			if gen == "Ninja" {
				needTool(t, "ninja")
			} else {
				needTool(t, "make")
			}
			root := t.TempDir()
			src := filepath.Join(root, "test")
			testfs.ToDir(t, "test", src)
			mod, err := os.ReadFile("espcompose.cmake")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "espcompose.cmake"), mod, 0o644); err != nil {
				t.Fatal(err)
			}
			writeImages(t, src)
			build := filepath.Join(t.TempDir(), "build")
			run(t, src, cmake, "-S", src, "-B", build, "-G", gen, "-DESPCOMPOSE="+bin)

			image := filepath.Join(build, "factory", "test-factory.bin")
			out := run(t, src, cmake, "--build", build)
			if !strings.Contains(out, "espcompose: factory") {
				t.Fatalf("first build did not run espcompose:\n%s", out)
			}
			first, err := os.ReadFile(image)
			if err != nil {
				t.Fatalf("first build made no image: %v\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(build, "factory.espcompose.d")); err != nil {
				t.Fatalf("no depfile: %v", err)
			}
			st1, _ := os.Stat(image)

			out = run(t, src, cmake, "--build", build)
			if strings.Contains(out, "espcompose") || strings.Contains(out, "Up to date") {
				t.Fatalf("second build ran espcompose:\n%s", out)
			}
			if gen == "Ninja" && !strings.Contains(out, "no work to do") {
				t.Fatalf("second Ninja build did work:\n%s", out)
			}
			if st2, _ := os.Stat(image); !st2.ModTime().Equal(st1.ModTime()) {
				t.Fatal("second build rewrote the image")
			}

			// data/config.bin reaches the build tool only through the depfile.
			time.Sleep(10 * time.Millisecond) // a newer mtime than the stamp on coarse clocks
			cfg := filepath.Join(src, "data", "config.bin")
			if err := os.WriteFile(cfg, []byte("changed config"), 0o644); err != nil {
				t.Fatal(err)
			}
			future := time.Now().Add(2 * time.Second)
			_ = os.Chtimes(cfg, future, future)
			out = run(t, src, cmake, "--build", build)
			if !strings.Contains(out, "espcompose: factory") {
				t.Fatalf("editing an input named only in the depfile did not rebuild:\n%s", out)
			}
			third, _ := os.ReadFile(image)
			if bytes.Equal(first, third) || !bytes.Contains(third, []byte("changed config")) {
				t.Fatal("the rebuilt image does not hold the edited file")
			}
		})
	}
}

func writeImages(t *testing.T, dir string) {
	t.Helper()
	spec := testimage.AppSpec{Chip: "esp32c3", Project: "cmake-test", Version: "1.0"}
	app, err := testimage.App(spec)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := testimage.Bootloader("esp32c3")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"images/app.bin": app, "images/bootloader.bin": bl, "data/config.bin": []byte("config v1")} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
