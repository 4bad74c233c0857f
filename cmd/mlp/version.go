package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/mlpkit/mlp/tabular"
)

func init() {
	register(&command{
		name:    "version",
		args:    "",
		summary: "print the library's module version, the Go version and the build settings",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			return func(ctx context.Context, e *env) error { return printVersion(e.stdout) }
		},
	})
}

// printVersion writes the module version of the library ("(devel)" for a
// build from a work tree), the Go version and platform, and the build
// settings runtime/debug.ReadBuildInfo reports (VCS revision, time,
// modified; compiler flags), one a line.
func printVersion(w io.Writer) error {
	fmt.Fprintf(w, "mlp %s\n", tabular.LibraryVersion())
	fmt.Fprintf(w, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		_, err := fmt.Fprintln(w, "build info: not available")
		return err
	}
	fmt.Fprintf(w, "main module: %s %s\n", bi.Main.Path, versionOr(bi.Main.Version))
	for _, s := range bi.Settings {
		if s.Value != "" {
			fmt.Fprintf(w, "build %s: %s\n", s.Key, s.Value)
		}
	}
	for _, d := range bi.Deps {
		v := d.Version
		if d.Replace != nil {
			v += " => " + d.Replace.Path + " " + d.Replace.Version
		}
		fmt.Fprintf(w, "dep %s %s\n", d.Path, v)
	}
	return nil
}

// versionOr returns v, or "(devel)" when it is empty.
func versionOr(v string) string {
	if v == "" {
		return "(devel)"
	}
	return v
}
