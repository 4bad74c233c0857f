// Package atomicfile writes a file whole or not at all: through a
// temporary sibling that is renamed over the file at the end, so that a
// failed write leaves the old file as it was.
//
// Check resolves and checks an output path before any long work, so that a
// path that cannot be written is reported at once rather than after the
// work: a symbolic link is followed to the regular file it names (the link
// stays, the file it names is replaced), a directory, named pipe, socket or
// device is refused, and the directory is tried by creating and removing a
// temporary sibling named as Write names it.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
)

// NewMode is the mode of a file that did not exist before.
const NewMode fs.FileMode = 0o644

// nameMax is the longest file name most file systems take (NAME_MAX).
const nameMax = 255

// maxLinks is the most symbolic links followed to resolve a path, as
// Linux's MAXSYMLINKS.
const maxLinks = 40

// Target is an output path checked by Check, ready for Write.
type Target struct {
	path string      // as given
	real string      // the file replaced: path, or what a symbolic link at path names
	mode fs.FileMode // the permissions the written file gets
}

// Path returns the path Check was given.
func (t *Target) Path() string { return t.path }

// Check resolves path and checks that Write can replace it: that the file,
// if it exists (after following symbolic links), is a regular file, and
// that its directory takes a new file whose name is that of the temporary
// sibling Write uses (which a long name may not fit). It creates and removes
// one such file. The written file keeps the mode of the file it replaces;
// a new file gets NewMode.
func Check(path string) (*Target, error) {
	if path == "" {
		return nil, errors.New("empty file name")
	}
	real, err := resolve(path)
	if err != nil {
		return nil, err
	}
	t := &Target{path: path, real: real, mode: NewMode}
	fi, err := os.Stat(real)
	switch {
	case err == nil:
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is %s, not a regular file; name a new or a regular file", describe(path, real), kind(fi.Mode()))
		}
		t.mode = fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	base := filepath.Base(real)
	if n := len(tempName(base)); n > nameMax {
		return nil, fmt.Errorf("%s: the name is too long: the temporary file written beside it needs a name of %d bytes, more than %d; use a shorter name",
			describe(path, real), n, nameMax)
	}
	f, err := createTemp(real)
	if err != nil {
		return nil, err
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return nil, err
	}
	return t, nil
}

// Write writes the file with write, which gets a buffered writer, into a
// temporary sibling of the file, then renames the sibling over the file. On
// an error the temporary file is removed and the file is left as it was.
// The error of write is returned wrapped, naming the path.
func (t *Target) Write(write func(io.Writer) error) (err error) {
	f, err := createTemp(t.real)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return fmt.Errorf("%s: %w", t.path, err)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	if err := f.Chmod(t.mode); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), t.real)
}

// WriteFile checks path with Check and writes it with Write.
func WriteFile(path string, write func(io.Writer) error) error {
	t, err := Check(path)
	if err != nil {
		return err
	}
	return t.Write(write)
}

// resolve follows the symbolic links at path, if any, to the path of the
// file they name, which need not exist.
func resolve(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", &fs.PathError{Op: "resolve", Path: path, Err: syscall.ELOOP}
}

// describe names path in a message, and the file a link at path names.
func describe(path, real string) string {
	if real == path {
		return path
	}
	return fmt.Sprintf("%s (a link to %s)", path, real)
}

// kind says what a file of mode m is, with an article.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// tempName returns the name of a temporary sibling of the file named base:
// "." + base + "." + 8 hexadecimal digits, always of the same length, so
// that the sibling Check creates is as long as the one Write creates.
func tempName(base string) string {
	return fmt.Sprintf(".%s.%08x", base, rand.Uint32())
}

// createTemp creates a new temporary sibling of the file at path, with mode
// 0600 until Write sets the file's mode.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for range 100 {
		name := filepath.Join(dir, tempName(base))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) && errors.Is(pe.Err, syscall.ENAMETOOLONG) {
				return nil, fmt.Errorf("%s: the name is too long for a temporary file beside it (%s); use a shorter name", path, filepath.Base(name))
			}
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("cannot write in the directory %s of %s: %w", dir, base, pe.Err)
			}
			return nil, err
		}
		return f, nil
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s: too many exist", dir)
}
