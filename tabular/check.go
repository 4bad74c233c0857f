package tabular

import "github.com/mlpkit/mlp/internal/guard"

// isNil reports whether v is nil or holds a nil pointer, map, slice, func,
// channel or interface (guard.IsNil).
func isNil(v any) bool { return guard.IsNil(v) }
