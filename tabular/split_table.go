package tabular

import (
	"fmt"

	"github.com/mlpkit/mlp"
)

// SplitTable divides the rows of t at random into a training and a
// validation part, as mlp.Split does for a Dataset (scikit-learn's
// train_test_split; docs/conventions.md): the validation part gets
// ceil(n·ValFraction) rows, and with Stratify each class of t's one target
// column gets StratifiedShuffleSplit's share of both parts. The same Src gives the same split. train and val are new
// Tables (Table.Subset); t is not changed. Its errors are those of mlp.Split,
// and those of reading class labels from the target when Stratify is set.
func SplitTable(t *Table, s mlp.SplitSettings) (train, val *Table, err error) {
	if t == nil || t.Rows() == 0 {
		return nil, nil, fmt.Errorf("%w: SplitTable: the table has no rows", mlp.ErrData)
	}
	var labels []int
	if s.Stratify {
		if labels, err = targetClasses(t); err != nil {
			return nil, nil, fmt.Errorf("SplitTable: Stratify: %w", err)
		}
	}
	tr, va, err := mlp.SplitIndices(t.Rows(), labels, s)
	if err != nil {
		return nil, nil, err
	}
	return t.Subset(tr), t.Subset(va), nil
}
