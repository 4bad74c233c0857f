package parquet

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/mlpkit/mlp/tabular"
)

// Bounds on what the reader lets parquet-go allocate, besides Limits.
const (
	// maxFooterCost bounds the Go memory of the decoded footer.
	maxFooterCost = 128 << 20
	// maxPageHeader is the most bytes of one page header (with its
	// statistics).
	maxPageHeader = 1 << 20
	// maxPageBytes is the most bytes of one page, uncompressed; writers
	// write pages of about 1 MiB.
	maxPageBytes = 128 << 20
	// cellsPerByte and baseCells bound the cells of a file of N bytes to
	// baseCells + cellsPerByte·N, so that a few bytes cannot declare a
	// billion rows.
	cellsPerByte = 1024
	baseCells    = 1 << 20
)

// magic starts and ends a Parquet file.
const magic = "PAR1"

// errCorrupt is wrapped by the errors about a file that is not a sound
// Parquet file.
var errCorrupt = errors.New("not a sound Parquet file")

// chunkSpan is where a column chunk's pages lie in the file.
type chunkSpan struct {
	start, end int64
}

// checkFooter reads and checks the footer of the file of size bytes in r
// before parquet-go decodes it: the magic bytes, the footer length, and
// the lengths inside it. It returns the decoded metadata.
func checkFooter(r io.ReaderAt, size int64) (*format.FileMetaData, error) {
	if size < 12 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 12 of an empty Parquet file", errCorrupt, size)
	}
	var head, tail [8]byte
	if _, err := r.ReadAt(head[:4], 0); err != nil {
		return nil, fmt.Errorf("%w: reading the header: %w", errCorrupt, err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("%w: reading the footer: %w", errCorrupt, err)
	}
	if string(head[:4]) != magic {
		return nil, fmt.Errorf("%w: it does not start with %q", errCorrupt, magic)
	}
	if string(tail[4:]) == "PARE" {
		return nil, fmt.Errorf("%w: the footer is encrypted, which the reader does not read", errCorrupt)
	}
	if string(tail[4:]) != magic {
		return nil, fmt.Errorf("%w: it does not end with %q (truncated?)", errCorrupt, magic)
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return nil, fmt.Errorf("%w: the footer length %d is more than the file's %d bytes hold", errCorrupt, n, size-12)
	}
	footer := make([]byte, n)
	if _, err := r.ReadAt(footer, size-8-n); err != nil {
		return nil, fmt.Errorf("%w: reading the footer: %w", errCorrupt, err)
	}
	used, err := walkStruct(footer, maxFooterCost)
	if err != nil {
		return nil, fmt.Errorf("%w: the footer: %w", errCorrupt, err)
	}
	if used != len(footer) {
		return nil, fmt.Errorf("%w: %d bytes after the footer's metadata (a signed footer?)", errCorrupt, len(footer)-used)
	}
	md := new(format.FileMetaData)
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), footer, md); err != nil {
		return nil, fmt.Errorf("%w: the footer: %w", errCorrupt, err)
	}
	return md, nil
}

// span returns where chunk c's pages lie, as parquet-go finds them, checked
// against the data part of a file of size bytes with a footer of
// footerLen bytes.
func span(c *format.ColumnChunk, size int64) (chunkSpan, error) {
	m := &c.MetaData
	start := m.DataPageOffset
	if m.DictionaryPageOffset != 0 {
		start = m.DictionaryPageOffset
	}
	if c.FilePath != "" {
		return chunkSpan{}, fmt.Errorf("%w: the column chunk is in another file, %q", errCorrupt, c.FilePath)
	}
	if start < 4 || m.TotalCompressedSize < 0 || m.TotalCompressedSize > size-12 || start > size-8-m.TotalCompressedSize {
		return chunkSpan{}, fmt.Errorf("%w: the column chunk at byte %d of %d bytes passes the file's %d bytes",
			errCorrupt, start, m.TotalCompressedSize, size)
	}
	return chunkSpan{start, start + m.TotalCompressedSize}, nil
}

// checkPages walks the page headers of a column chunk before parquet-go
// reads it: each header's lengths, the page sizes against the chunk and
// maxPageBytes, the value counts against the rows of the row group, and
// the size of each compressed page once uncompressed. The data pages must
// hold rows values in all.
func checkPages(r io.ReaderAt, s chunkSpan, codec format.CompressionCodec, rows int64) error {
	var buf []byte
	values := int64(0)
	for pos, page := s.start, 0; pos < s.end; page++ {
		n := min(s.end-pos, maxPageHeader)
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		b := buf[:n]
		if _, err := r.ReadAt(b, pos); err != nil && err != io.EOF {
			return fmt.Errorf("page %d: %w", page, err)
		}
		hl, err := walkStruct(b, maxPageHeader)
		if err != nil {
			return fmt.Errorf("%w: page %d header: %w", errCorrupt, page, err)
		}
		var h format.PageHeader
		if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[:hl], &h); err != nil {
			return fmt.Errorf("%w: page %d header: %w", errCorrupt, page, err)
		}
		pos += int64(hl)
		cs, us := int64(h.CompressedPageSize), int64(h.UncompressedPageSize)
		switch {
		case cs < 0 || cs > s.end-pos:
			return fmt.Errorf("%w: page %d: %d compressed bytes, %d left in the column chunk", errCorrupt, page, cs, s.end-pos)
		case us < 0 || us > maxPageBytes:
			return fmt.Errorf("%w: page %d: %d bytes uncompressed, more than the %d a page may hold", tabular.ErrLimit, page, us, maxPageBytes)
		}
		switch h.Type {
		case format.DataPage:
			if !h.DataPageHeader.Valid {
				return fmt.Errorf("%w: page %d: a data page without its header", errCorrupt, page)
			}
			values += int64(h.DataPageHeader.V.NumValues)
		case format.DataPageV2:
			v := &h.DataPageHeaderV2.V
			if !h.DataPageHeaderV2.Valid || v.NumRows != v.NumValues || v.NumNulls > v.NumValues ||
				int64(v.DefinitionLevelsByteLength)+int64(v.RepetitionLevelsByteLength) > cs {
				return fmt.Errorf("%w: page %d: a data page (v2) whose header does not add up", errCorrupt, page)
			}
			values += int64(v.NumValues)
		case format.DictionaryPage:
			if !h.DictionaryPageHeader.Valid || int64(h.DictionaryPageHeader.V.NumValues) > us {
				return fmt.Errorf("%w: page %d: a dictionary page whose header does not add up", errCorrupt, page)
			}
		}
		if values > rows || values < 0 {
			return fmt.Errorf("%w: page %d: more values than the row group's %d rows", errCorrupt, page, rows)
		}
		levels := int64(0)
		compressed := codec != format.Uncompressed
		if h.Type == format.DataPageV2 {
			v := &h.DataPageHeaderV2.V
			levels = int64(v.DefinitionLevelsByteLength) + int64(v.RepetitionLevelsByteLength)
			compressed = compressed && (!v.IsCompressed.Valid || v.IsCompressed.V)
		}
		if !compressed && us != cs {
			return fmt.Errorf("%w: page %d: %d bytes uncompressed, but %d stored without compression", errCorrupt, page, us, cs)
		}
		if compressed && (h.Type == format.DataPage || h.Type == format.DictionaryPage || h.Type == format.DataPageV2) {
			data := make([]byte, cs)
			if _, err := r.ReadAt(data, pos); err != nil {
				return fmt.Errorf("page %d: %w", page, err)
			}
			if err := checkUncompressed(codec, data[levels:], us-levels); err != nil {
				return fmt.Errorf("%w: page %d: %w", errCorrupt, page, err)
			}
		}
		pos += cs
	}
	if values != rows {
		return fmt.Errorf("%w: the data pages hold %d values, the row group %d rows", errCorrupt, values, rows)
	}
	return nil
}

// checkUncompressed checks that data, compressed with codec, uncompresses
// to size bytes, as the page header says (parquet-go allocates that much
// before it uncompresses), without holding more than a buffer of it.
func checkUncompressed(codec format.CompressionCodec, data []byte, size int64) error {
	var rd io.Reader
	switch codec {
	case format.Snappy:
		n, err := snappy.DecodedLen(data)
		if err != nil {
			return err
		}
		if int64(n) != size {
			return fmt.Errorf("snappy data of %d bytes where the page header says %d", n, size)
		}
		// Snappy's densest element, a copy of 64 bytes in 3, bounds the
		// ratio of a sound stream.
		if int64(n) > 22*int64(len(data))+64 {
			return fmt.Errorf("snappy data of %d bytes in %d, more than snappy can compress", n, len(data))
		}
		return nil
	case format.Gzip:
		z, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return err
		}
		rd = z
	case format.Zstd:
		z, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(uint64(size)+1), zstd.WithDecoderMaxWindow(max(uint64(size)+1, zstd.MinWindowSize)))
		if err != nil {
			return err
		}
		defer z.Close()
		rd = z
	default:
		return fmt.Errorf("compression %s, which the reader does not read (it reads uncompressed, SNAPPY, GZIP and ZSTD)", codec)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(rd, size+1))
	if err != nil {
		return fmt.Errorf("uncompressing: %w", err)
	}
	if n != size {
		return fmt.Errorf("the page uncompresses to other than the %d bytes its header says", size)
	}
	return nil
}
