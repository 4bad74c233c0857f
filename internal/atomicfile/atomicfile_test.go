package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"directory", dir, "a directory"},
		{"named pipe", fifo, "a named pipe"},
		{"long name", filepath.Join(dir, strings.Repeat("x", 250)), "too long"},
		{"missing directory", filepath.Join(dir, "no", "f"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check: %v, want an error saying %q", err, tc.want)
			}
		})
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("Check left %v", m)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	os.WriteFile(old, []byte("old"), 0o600)
	os.Chmod(old, 0o600)
	link := filepath.Join(dir, "link")
	os.Symlink("old", link)
	tg, err := Check(link)
	if err != nil {
		t.Fatal(err)
	}
	// A failed write leaves the file as it was.
	if err := tg.Write(func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("broken") }); err == nil {
		t.Error("Write returned no error")
	}
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if err := tg.Write(func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(link)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(old); string(b) != "new" {
		t.Errorf("the file holds %q, want new", b)
	}
	if fi, _ := os.Stat(old); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
