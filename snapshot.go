package mlp

// Snapshot is a copy of the values of a list of parameters, taken and put
// back as a whole, as PyTorch's copy.deepcopy(model.state_dict()) and
// load_state_dict are used to keep the best weights. The Trainer keeps one
// to roll back a step that diverges, EarlyStopping one to restore the best
// epoch's weights. The zero value is empty and ready to use. A Snapshot is
// not safe for concurrent use.
type Snapshot struct {
	v [][]float64
}

// Save copies the values of ps into s, reusing its storage: once s has held
// parameters of the same sizes, Save allocates nothing.
func (s *Snapshot) Save(ps []Param) {
	if len(s.v) != len(ps) {
		s.v = make([][]float64, len(ps))
	}
	for i, p := range ps {
		s.v[i] = append(s.v[i][:0], p.Value.RawMatrix().Data...)
	}
}

// Fits reports whether s holds one slice of the right size for each of ps,
// so that Restore(ps) puts back values taken from parameters of those
// shapes.
func (s *Snapshot) Fits(ps []Param) bool {
	if len(s.v) != len(ps) {
		return false
	}
	for i, p := range ps {
		if len(s.v[i]) != len(p.Value.RawMatrix().Data) {
			return false
		}
	}
	return true
}

// Restore copies the saved values back into ps. It panics with an error
// wrapping ErrMisuse unless s fits ps (Fits).
func (s *Snapshot) Restore(ps []Param) {
	if !s.Fits(ps) {
		misusePanic("Snapshot.Restore", "the snapshot was taken of other parameters")
	}
	for i, p := range ps {
		copy(p.Value.RawMatrix().Data, s.v[i])
	}
}
