package mlp

// weightSnapshot is a copy of the values of a list of parameters, taken
// and put back as a whole. The Trainer keeps one to roll back a step that
// diverges, EarlyStopping one to restore the best epoch's weights.
type weightSnapshot [][]float64

// save copies the values of ps into s, reusing its storage: once s has held
// parameters of the same sizes, save allocates nothing.
func (s *weightSnapshot) save(ps []Param) {
	if len(*s) != len(ps) {
		*s = make(weightSnapshot, len(ps))
	}
	for i, p := range ps {
		(*s)[i] = append((*s)[i][:0], p.Value.RawMatrix().Data...)
	}
}

// fits reports whether s holds one slice of the right size for each of ps.
func (s weightSnapshot) fits(ps []Param) bool {
	if len(s) != len(ps) {
		return false
	}
	for i, p := range ps {
		if len(s[i]) != len(p.Value.RawMatrix().Data) {
			return false
		}
	}
	return true
}

// restore copies the saved values back into ps, which must fit s.
func (s weightSnapshot) restore(ps []Param) {
	for i, p := range ps {
		copy(p.Value.RawMatrix().Data, s[i])
	}
}
