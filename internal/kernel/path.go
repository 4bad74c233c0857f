package kernel

import (
	"fmt"
	"os"
	"strings"
)

// impl is one path: its micro-kernels and element-wise loops.
type impl struct {
	name    string
	missing string // why the CPU or the build cannot run it; empty if it can
	has     string // what the CPU has that the path needs, for Path's reason

	f64 gemm[float64] // the product kernels of MulAdd
	f32 gemm[float32] // and of MulAdd32

	allFinite func(x []float64) bool
	relu      func(dst, x []float64)
	reluGrad  func(dst, g, y []float64)
	sgd       func(w, g []float64, lr, wd float64)

	allFinite32 func(x []float32) bool
	relu32      func(dst, x []float32)
	reluGrad32  func(dst, g, y []float32)
	sgd32       func(w, g []float32, lr, wd float32)
	to32        func(dst []float32, src []float64)
	to64        func(dst []float64, src []float32)
}

// goImpl is the path in plain Go, available everywhere.
var goImpl = impl{
	name: "go", has: "no assembly path for this CPU or build",
	f64:       gemm[float64]{block4: goBlock4, block1: goBlock1},
	f32:       goGemm32,
	allFinite: goAllFinite, relu: goReLU, reluGrad: goReLUGrad, sgd: goSGD,
	allFinite32: goAllFinite32, relu32: goReLU32, reluGrad32: goReLUGrad32, sgd32: goSGD32,
	to32: goTo32, to64: goTo64,
}

// cur is the path in use, and reason why it was chosen; both are set once,
// when the package is initialized.
var (
	cur    impl
	reason string
)

func init() {
	env, set := os.LookupEnv("MLP_KERNEL")
	var warn bool
	cur, reason, warn = choose(env, set, impls())
	if warn {
		fmt.Fprintf(os.Stderr, "mlp: %s\n", reason)
	}
}

// Path returns the name of the path in use ("avx512", "avx2", "neon" or
// "go") and why it was chosen: the CPU features it relies on, the
// MLP_KERNEL setting that forced it, or why MLP_KERNEL could not be
// honoured. The path is chosen once, when the program starts, from the
// environment variable MLP_KERNEL and the CPU; it does not change after.
func Path() (name, why string) {
	return cur.name, reason
}

// choose returns the path to use from all (best first, ending with the Go
// path) and the value of MLP_KERNEL, with the reason for the choice and
// whether MLP_KERNEL asked for a path that cannot be used.
func choose(env string, set bool, all []impl) (impl, string, bool) {
	best := all[len(all)-1]
	for _, im := range all {
		if im.missing == "" {
			best = im
			break
		}
	}
	if !set || env == "" {
		return best, "default, the fastest path available: " + best.has, false
	}
	var names []string
	for _, im := range all {
		names = append(names, im.name)
		if im.name != env {
			continue
		}
		if im.missing != "" {
			return best, fmt.Sprintf("MLP_KERNEL=%s cannot be used: %s; using %s instead", env, im.missing, best.name), true
		}
		return im, "forced by MLP_KERNEL=" + env, false
	}
	return best, fmt.Sprintf("MLP_KERNEL=%s is not one of %s; using %s instead", env, strings.Join(names, ", "), best.name), true
}

// goFloat32 sets the float32 kernels and loops of im to the Go ones, for a
// path that has no assembly for them.
func goFloat32(im *impl) {
	im.f32 = goImpl.f32
	im.allFinite32, im.relu32, im.reluGrad32, im.sgd32 = goImpl.allFinite32, goImpl.relu32, goImpl.reluGrad32, goImpl.sgd32
	im.to32, im.to64 = goImpl.to32, goImpl.to64
}
