// Package parquet reads a Parquet file into a tabular.Table, with the
// roles and kinds tabular.CSVReader gives the same cells in a CSV file, so
// that a model trained on either is the same.
//
// It is an optional package: the engine (package mlp) and package tabular
// never import it, so a program that reads CSV files does not link the
// Parquet decoder (github.com/parquet-go/parquet-go). The mlp command uses
// it for a -data file that starts with the bytes "PAR1".
//
// # Damaged files
//
// parquet-go trusts the lengths a file declares: a footer, a page header
// or a compressed page may make it allocate gigabytes, or panic. Reader
// checks every declared length against the file's size before parquet-go
// reads it (see Reader), and recovers a panic that gets past the checks as
// an error. TestMutatedFiles reads 2,000 damaged files, FuzzReadAll
// arbitrary ones.
package parquet
