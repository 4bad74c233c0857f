package mlp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mlpkit/mlp/internal/testkit"
)

// errorCase is a call an entry point taking user data, files or settings
// must refuse.
type errorCase struct {
	name string
	call func(t *testing.T) error
	want []error  // errors.Is must match each
	says []string // substrings of the message naming the place
}

// checkErrorCases runs each case as a subtest and checks that its call
// returns an error, never panics, matches each sentinel of want with
// errors.Is, says each string of says (the place: line and column, row,
// layer, field, epoch) and starts with "mlp: ". It fails the test if cases
// is empty or two cases share a name.
func checkErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	names := make(map[string]bool)
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			testkit.EntryError(t, testkit.NoPanic(t, func() error { return tc.call(t) }), tc.want, tc.says)
		})
	}
}

// callNoPanicErr runs f and returns its error, or the panic it raised as an
// error.
func callNoPanicErr(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	return f()
}

// wantErr returns nil if err wraps every one of sentinels and says every
// one of says, and an error describing the difference otherwise.
func wantErr(err error, sentinels []error, says ...string) error {
	if err == nil {
		return errors.New("no error")
	}
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			return fmt.Errorf("error %q does not wrap %v", err, s)
		}
	}
	for _, s := range says {
		if !strings.Contains(err.Error(), s) {
			return fmt.Errorf("error %q does not say %q", err, s)
		}
	}
	return nil
}

// The categories of hostileCase.
const (
	hostileMemory = "memory and time bounded by the input"
	hostileWrong  = "no silent wrong numbers"
	hostileCrash  = "no crash where an error is promised"
)

// hostileCase is one hostile input: check returns nil when the library
// handles the input as it promises (a clear error, or the right number),
// and says what went wrong otherwise.
type hostileCase struct {
	category, name string
	check          func(t *testing.T) error
}

// checkHostileCases runs each case as a subtest with a time limit of 20 s
// (a Load that spins or a Save that hangs fails instead of stopping the
// tests), a panic counting as a failure, and logs how many of each
// category held.
func checkHostileCases(t *testing.T, cases []hostileCase) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	type tally struct{ tried, held int }
	counts := map[string]*tally{}
	var order []string
	for _, tc := range cases {
		if counts[tc.category] == nil {
			counts[tc.category] = &tally{}
			order = append(order, tc.category)
		}
		c := counts[tc.category]
		c.tried++
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- callNoPanicErr(func() error { return tc.check(t) }) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				c.held++
			case <-time.After(20 * time.Second):
				t.Fatal("did not return within 20 s")
			}
		})
	}
	for _, cat := range order {
		c := counts[cat]
		t.Logf("%s: %d tried, %d held, %d failed", cat, c.tried, c.held, c.tried-c.held)
	}
}
