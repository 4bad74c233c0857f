package parquet

import (
	"bytes"
	"math/big"
	"strconv"
	"testing"

	pq "github.com/parquet-go/parquet-go"
)

// decimalRow holds the same decimals in three physical types, and a
// target.
type decimalRow struct {
	D32 int32    `parquet:"d32,decimal(2:9)"`
	D64 int64    `parquet:"d64,decimal(4:18)"`
	D16 [16]byte `parquet:"d16,decimal(6:38)"`
	Y   float64  `parquet:"y"`
}

// A DECIMAL reads as the float64 nearest its value, the number
// strconv.ParseFloat gives for its text, in each physical type.
func TestReadDecimal(t *testing.T) {
	cases := []struct {
		unscaled int64
		d32, d64 string // texts of the value at scales 2 and 4
	}{
		{123, "1.23", "0.0123"},
		{-1, "-0.01", "-0.0001"},
		{0, "0", "0"},
		{999999999, "9999999.99", "99999.9999"},
		{-734567, "-7345.67", "-73.4567"},
		{1, "0.01", "0.0001"},
	}
	var rows []decimalRow
	for _, c := range cases {
		var b [16]byte
		v := big.NewInt(c.unscaled)
		if c.unscaled < 0 {
			v.Add(v, new(big.Int).Lsh(big.NewInt(1), 128)) // two's complement
		}
		v.FillBytes(b[:])
		rows = append(rows, decimalRow{D32: int32(c.unscaled), D64: c.unscaled, D16: b, Y: 1})
	}
	var buf bytes.Buffer
	if err := pq.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	rd := NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	rd.Targets = []string{"y"}
	tab, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		want32, _ := strconv.ParseFloat(c.d32, 64)
		want64, _ := strconv.ParseFloat(c.d64, 64)
		want16, _ := strconv.ParseFloat(strconv.FormatInt(c.unscaled, 10)+"e-6", 64)
		got := []float64{tab.Features[0].Values[i], tab.Features[1].Values[i], tab.Features[2].Values[i]}
		if got[0] != want32 || got[1] != want64 || got[2] != want16 {
			t.Errorf("unscaled %d: %v, want %v %v %v", c.unscaled, got, want32, want64, want16)
		}
	}
}
