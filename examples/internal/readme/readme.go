// Package readme holds the test helpers that keep the repository's README
// true to the example programs it shows: each program the README prints in
// full must be byte for byte the example's main.go, and the output it quotes
// must be what the program prints.
package readme

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Root is the repository's root, relative to the directory of an example
// program's package, where its tests run.
const Root = "../.."

// goBlocks returns the contents of the fenced ```go blocks of a Markdown
// text, each ending in a newline, in order.
func goBlocks(md string) []string {
	var blocks []string
	lines := strings.SplitAfter(md, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\n") != "```go" {
			continue
		}
		var b strings.Builder
		for i++; i < len(lines) && strings.TrimRight(lines[i], "\n") != "```"; i++ {
			b.WriteString(lines[i])
		}
		blocks = append(blocks, b.String())
	}
	return blocks
}

// CheckProgram fails t unless a ```go block of the README is exactly the
// contents of main.go in the current directory. When a block starts with
// the same line as main.go but differs, the message gives the first line
// that differs.
func CheckProgram(t testing.TB) string {
	t.Helper()
	md := read(t, filepath.Join(Root, "README.md"))
	src := read(t, "main.go")
	first, _, _ := strings.Cut(src, "\n")
	for _, b := range goBlocks(md) {
		if b == src {
			return md
		}
		if strings.HasPrefix(b, first+"\n") {
			t.Fatalf("README.md's block starting %q differs from main.go: %s", first, firstDiff(b, src))
		}
	}
	t.Fatalf("README.md has no ```go block starting %q; it must show main.go as it is", first)
	return md
}

// firstDiff describes the first line where the README's block and the file
// differ.
func firstDiff(block, file string) string {
	bl, fl := strings.Split(block, "\n"), strings.Split(file, "\n")
	for i := 0; i < len(bl) && i < len(fl); i++ {
		if bl[i] != fl[i] {
			return fmt.Sprintf("line %d is %q in README.md, %q in main.go", i+1, bl[i], fl[i])
		}
	}
	return fmt.Sprintf("README.md's block has %d lines, main.go %d", len(bl), len(fl))
}

// CheckQuoted fails t unless the README text md holds out verbatim.
func CheckQuoted(t testing.TB, md, out string) {
	t.Helper()
	if !strings.Contains(md, out) {
		t.Errorf("README.md does not quote what the program printed:\n%s", out)
	}
}

// Run builds the example program in the current directory and runs it in
// the repository's root with the temporary directory set to tmp (so that
// os.TempDir returns it), returning its standard output.
func Run(t testing.TB, tmp string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "prog")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Dir = Root
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("running the program: %v\n%s", err, stderr.Bytes())
	}
	return stdout.String()
}

func read(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
