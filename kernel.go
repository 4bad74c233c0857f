package mlp

import "github.com/mlpkit/mlp/internal/kernel"

// KernelPath returns the name of the code path that runs the package's
// matrix products and vector loops, and why it was chosen. The name is
// "avx512" or "avx2" (amd64 assembly), "neon" (arm64 assembly) or "go"
// (portable Go, and the only path of builds with the purego tag).
//
// The path is chosen once, when the program starts: the fastest one the
// CPU supports, unless the environment variable MLP_KERNEL names another
// (avx512, avx2, neon or go). If MLP_KERNEL names an unknown path or one
// the CPU cannot run, the fastest available path is used, the reason says
// why, and a line on standard error says so at start-up. Every path gives
// the same bits. KernelPath is safe for concurrent use.
func KernelPath() (name, reason string) {
	return kernel.Path()
}
