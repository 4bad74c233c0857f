package fmath

import "math"

// FMA32 returns x·y + z rounded once to float32 (temporary; replaced by the f32k branch's).
func FMA32(x, y, z float32) float32 {
	p, zz := float64(x)*float64(y), float64(z)
	s := p + zz
	f := float32(s)
	if math.IsInf(s, 0) || math.IsNaN(s) || float64(f) == s {
		return f
	}
	bb := s - p
	e := (p - (s - bb)) + (zz - bb)
	if e == 0 {
		return f
	}
	other := math.Nextafter32(f, float32(math.Inf(1)))
	if float64(f) > s {
		other = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	if (float64(f)+float64(other))/2 == s && (e > 0) == (float64(other) > float64(f)) {
		return other
	}
	return f
}
