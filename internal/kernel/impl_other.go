//go:build !(amd64 || arm64) || purego

package kernel

// impls returns the paths of this build, best first: only the Go path,
// because the build has no assembly.
func impls() []impl {
	g := goImpl
	g.has = "this build has no assembly (purego tag, or an architecture other than amd64 and arm64)"
	return []impl{g}
}
