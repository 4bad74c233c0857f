package mlp

import "github.com/mlpkit/mlp/internal/guard"

// isNil reports whether v is nil or holds a nil pointer, map, slice, func,
// channel or interface, such as a nil *mat.Dense passed as a mat.Matrix or a
// nil *Linear passed as a Layer. Entry points that take interfaces use it to
// return an error where calling a method of v would dereference nil.
func isNil(v any) bool { return guard.IsNil(v) }
