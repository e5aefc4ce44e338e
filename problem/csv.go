package problem

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
)

// CSVOptions selects the special columns of a data file (DESIGN §6).
//
// A column is named by its header cell or, with or without a header, by
// its 1-based column number written as text ("3"). A header name takes
// precedence over a number when both would match.
type CSVOptions struct {
	// Target names the target column; "" means the last column, or the
	// one before it if the last column holds the weights.
	Target string
	// Weights names the column of sample weights ω_n; "" means no weights.
	Weights string
}

// Data is a data set read from a CSV file: the inputs x_n ∈ R^Dim, the
// targets y_n and the optional weights ω_n of DESIGN §2, with the file
// position of every sample so that later errors can name it.
type Data struct {
	File string // file name used in error messages

	// Names, Target and Weights are the header names of the input, target
	// and weight columns; without a header, or for an empty header cell,
	// they are x1…xd, y and w. Weights is "" if there is no weight column.
	Names   []string // length Dim, in file order
	Target  string
	Weights string
	Header  bool // whether the file has a header row

	// TargetCol and WeightsCol are the 1-based file columns of the target
	// and of the weights (0 if there are none), for messages about them.
	TargetCol, WeightsCol int

	Dim   int       // input dimension d ≥ 1
	X     []float64 // inputs, N×Dim row-major
	Y     []float64 // targets, length N
	W     []float64 // weights, length N; nil if the file has no weight column
	Lines []int     // Lines[n] is the 1-based file line of sample n
}

// N returns the number of samples.
func (d *Data) N() int { return len(d.Y) }

// Problem returns the problem with d's samples and the given loss, λ,
// order m and skip connection. The returned problem owns copies of d's
// slices. The problem is not validated; call its Validate method.
func (d *Data) Problem(loss Loss, lambda float64, order int, skip bool) *Problem {
	p := &Problem{
		Dim:    d.Dim,
		X:      append([]float64(nil), d.X...),
		Y:      append([]float64(nil), d.Y...),
		Loss:   loss,
		Lambda: lambda,
		Order:  order,
		Skip:   skip,
	}
	if d.W != nil {
		p.W = append([]float64(nil), d.W...)
	}
	return p
}

// InputError is an error in a data file. Its message is one line that
// names the file and, where they apply, the 1-based line (Row) and the
// 1-based column (Col, with the header name Column), for example
//
//	data.csv: row 4, column 2 ("y"): not a number: "abc"
type InputError struct {
	File   string // file name, "" if unknown
	Row    int    // 1-based line in the file, 0 if the error has no line
	Col    int    // 1-based column, 0 if the error has no column
	Column string // header name of the column, "" if unknown
	Msg    string // what is wrong
	Err    error  // underlying error (I/O or CSV syntax), may be nil
}

// Error implements the error interface.
func (e *InputError) Error() string {
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d", e.Row)
	}
	switch {
	case e.Col > 0 && e.Column != "":
		sep()
		fmt.Fprintf(&b, "column %d (%s)", e.Col, quote(e.Column))
	case e.Col > 0:
		sep()
		fmt.Fprintf(&b, "column %d", e.Col)
	case e.Column != "":
		sep()
		fmt.Fprintf(&b, "column %s", quote(e.Column))
	}
	where := b.String()
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	// Keep the message on one line whatever the underlying error says.
	msg = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(msg)
	switch {
	case e.File != "" && where != "":
		return e.File + ": " + where + ": " + msg
	case e.File != "":
		return e.File + ": " + msg
	case where != "":
		return where + ": " + msg
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *InputError) Unwrap() error { return e.Err }

// LoadCSV reads the data file at path; see ReadCSV. A file that cannot be
// opened is reported as an *InputError that wraps the *fs.PathError.
func LoadCSV(path string, opt CSVOptions) (*Data, error) {
	f, err := os.Open(path)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &InputError{File: path, Msg: msg, Err: err}
	}
	defer f.Close()
	return ReadCSV(f, path, opt)
}

// maxQuoted is the number of characters of a cell that an error message
// quotes; longer cells are cut so that messages stay readable.
const maxQuoted = 40

// utf8BOM is the byte-order mark some spreadsheet programs write first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ReadCSV reads a data file in the format of DESIGN §6 from r; file is
// the name used in error messages.
//
// The file is comma separated (RFC 4180 quoting is accepted). Blank lines
// and lines starting with '#' are skipped, a leading UTF-8 byte-order
// mark is ignored and the whitespace around every cell is trimmed. The
// first remaining row is a header if any of its cells is not a number.
// The column named by opt.Weights, if any, holds the weights; the target
// is the column named by opt.Target, by default the last column other
// than the weights; every other column is an input, in file order. Every
// row must have as many cells as the first; every value must be a finite
// number; weights must be ≥ 0 and not all zero.
//
// Every error is an *InputError naming the file and, where they apply,
// the row and column.
func ReadCSV(r io.Reader, file string, opt CSVOptions) (*Data, error) {
	rd := &csvReader{file: file, weight: -1}
	br := bufio.NewReader(r)
	b, err := br.Peek(len(utf8BOM))
	switch {
	case bytes.Equal(b, utf8BOM):
		_, _ = br.Discard(len(utf8BOM))
	case err != nil && err != io.EOF:
		// bufio reports a read error once: it would be lost to the CSV reader.
		return nil, rd.readError(err)
	}
	rd.cr = csv.NewReader(br)
	rd.cr.FieldsPerRecord = -1 // ragged rows get our own message
	rd.cr.TrimLeadingSpace = true
	rd.cr.Comment = '#'
	rd.cr.ReuseRecord = true
	return rd.read(opt)
}

// csvReader holds the state of one ReadCSV call.
type csvReader struct {
	cr     *csv.Reader
	file   string
	header []string // nil if the file has no header
	ncol   int      // number of columns, fixed by the first row
	target int      // 0-based index of the target column
	weight int      // 0-based index of the weight column, −1 if none
	inputs []int    // 0-based indices of the input columns
}

func (rd *csvReader) read(opt CSVOptions) (*Data, error) {
	d := &Data{File: rd.file}
	first := true
	allZero := true
	var vals []float64
	for {
		rec, err := rd.cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, rd.readError(err)
		}
		if isBlank(rec) {
			continue
		}
		line, _ := rd.cr.FieldPos(0)
		for j := range rec {
			rec[j] = strings.TrimSpace(rec[j])
		}
		if first {
			first = false
			if err := rd.columns(d, rec, line, opt); err != nil {
				return nil, err
			}
			vals = make([]float64, rd.ncol)
			if rd.header != nil {
				continue
			}
		}
		if len(rec) != rd.ncol {
			return nil, &InputError{File: rd.file, Row: line,
				Msg: fmt.Sprintf("%s, want %d like the first row", plural(len(rec), "cell"), rd.ncol)}
		}
		for j, c := range rec {
			if vals[j], err = rd.cell(j, c); err != nil {
				return nil, err
			}
		}
		for _, j := range rd.inputs {
			d.X = append(d.X, vals[j])
		}
		d.Y = append(d.Y, vals[rd.target])
		if rd.weight >= 0 {
			w := vals[rd.weight]
			if w < 0 {
				return nil, rd.cellError(rd.weight, fmt.Sprintf("negative weight: %v", w))
			}
			allZero = allZero && w == 0
			d.W = append(d.W, w)
		}
		d.Lines = append(d.Lines, line)
	}
	switch {
	case first:
		return nil, &InputError{File: rd.file, Msg: "empty file"}
	case len(d.Y) == 0:
		return nil, &InputError{File: rd.file, Msg: "no data rows (only a header)"}
	case rd.weight >= 0 && allZero:
		return nil, &InputError{File: rd.file, Col: rd.weight + 1, Column: rd.name(rd.weight),
			Msg: "all weights are zero"}
	}
	return d, nil
}

// columns reads the first row rec, found on the given line: it fixes the
// number of columns, detects a header, resolves the target, weight and
// input columns and fills in d's names.
func (rd *csvReader) columns(d *Data, rec []string, line int, opt CSVOptions) error {
	rd.ncol = len(rec)
	if rd.ncol < 2 {
		return &InputError{File: rd.file, Row: line,
			Msg: fmt.Sprintf("%s, need at least 2 (inputs and a target)", plural(rd.ncol, "column"))}
	}
	for _, c := range rec {
		// A number too large for a float64 is still a number: the row is
		// data and its cell is reported as out of range.
		if _, ok := parseNumber(c); !ok && !isOverflow(c) {
			rd.header = append([]string(nil), rec...)
			break
		}
	}
	d.Header = rd.header != nil

	var err error
	if opt.Weights != "" {
		if rd.weight, err = rd.find("weights", opt.Weights); err != nil {
			return err
		}
	}
	switch {
	case opt.Target != "":
		if rd.target, err = rd.find("target", opt.Target); err != nil {
			return err
		}
		if rd.weight == rd.target {
			return &InputError{File: rd.file, Col: rd.target + 1, Column: rd.name(rd.target),
				Msg: "used as both the target and the weights"}
		}
	case rd.weight == rd.ncol-1:
		// "x,y,w" with weights w: the target is y, not w.
		rd.target = rd.ncol - 2
	default:
		rd.target = rd.ncol - 1
	}
	for j := 0; j < rd.ncol; j++ {
		if j != rd.target && j != rd.weight {
			rd.inputs = append(rd.inputs, j)
		}
	}
	if len(rd.inputs) == 0 {
		return &InputError{File: rd.file, Row: line,
			Msg: "no input columns: the 2 columns are the target and the weights"}
	}

	d.Dim = len(rd.inputs)
	for k, j := range rd.inputs {
		d.Names = append(d.Names, rd.nameOr(j, fmt.Sprintf("x%d", k+1)))
	}
	d.Target = rd.nameOr(rd.target, "y")
	d.TargetCol = rd.target + 1
	if rd.weight >= 0 {
		d.Weights = rd.nameOr(rd.weight, "w")
		d.WeightsCol = rd.weight + 1
		d.W = []float64{}
	}
	return nil
}

// find returns the 0-based index of the column that spec names: a header
// name, or else a 1-based column number. role is "target" or "weights".
func (rd *csvReader) find(role, spec string) (int, error) {
	spec = strings.TrimSpace(spec)
	found := -1
	for j, h := range rd.header {
		if h != spec {
			continue
		}
		if found >= 0 {
			return 0, &InputError{File: rd.file,
				Msg: fmt.Sprintf("ambiguous %s column %s: columns %d and %d have that name", role, quote(spec), found+1, j+1)}
		}
		found = j
	}
	if found >= 0 {
		return found, nil
	}
	if k, err := strconv.Atoi(spec); err == nil {
		if k < 1 || k > rd.ncol {
			return 0, &InputError{File: rd.file,
				Msg: fmt.Sprintf("%s column %d out of range: the file has %d columns", role, k, rd.ncol)}
		}
		return k - 1, nil
	}
	if rd.header == nil {
		return 0, &InputError{File: rd.file,
			Msg: fmt.Sprintf("unknown %s column %s: the file has no header, give a column number from 1 to %d", role, quote(spec), rd.ncol)}
	}
	return 0, &InputError{File: rd.file,
		Msg: fmt.Sprintf("unknown %s column %s (columns: %s)", role, quote(spec), listNames(rd.header))}
}

// cell parses the trimmed cell c in column j (0-based) of the current record.
func (rd *csvReader) cell(j int, c string) (float64, error) {
	v, ok := parseNumber(c)
	if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return v, nil
	}
	var msg string
	switch {
	case c == "":
		msg = "empty cell"
	case !ok && isOverflow(c):
		msg = "number out of range: " + quote(c)
	case !ok:
		msg = "not a number: " + quote(c)
	default:
		msg = "not a finite number: " + quote(c)
	}
	return 0, rd.cellError(j, msg)
}

// cellError returns an error about column j (0-based) of the current record.
func (rd *csvReader) cellError(j int, msg string) error {
	line, _ := rd.cr.FieldPos(j)
	return &InputError{File: rd.file, Row: line, Col: j + 1, Column: rd.name(j), Msg: msg}
}

// name returns the header name of column j, or "" without a header.
func (rd *csvReader) name(j int) string {
	if rd.header == nil {
		return ""
	}
	return rd.header[j]
}

// nameOr returns the header name of column j, or def if there is none.
func (rd *csvReader) nameOr(j int, def string) string {
	if n := rd.name(j); n != "" {
		return n
	}
	return def
}

// readError converts an error of the CSV reader into an *InputError.
func (rd *csvReader) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := "bad CSV: " + pe.Err.Error()
		if pe.StartLine != pe.Line {
			msg += fmt.Sprintf(" (in the record that starts on row %d)", pe.StartLine)
		}
		return &InputError{File: rd.file, Row: pe.Line, Msg: msg, Err: err}
	}
	return &InputError{File: rd.file, Msg: "reading: " + err.Error(), Err: err}
}

// parseNumber parses a trimmed cell as a float64. Underflow to zero or a
// subnormal is accepted; overflow is not a number.
func parseNumber(c string) (float64, bool) {
	v, err := strconv.ParseFloat(c, 64)
	return v, err == nil
}

// isOverflow reports whether c is a well-formed number too large for a float64.
func isOverflow(c string) bool {
	_, err := strconv.ParseFloat(c, 64)
	return errors.Is(err, strconv.ErrRange)
}

// listNames lists a header's names for an error message, cut after a few.
func listNames(header []string) string {
	const maxNames = 10
	var b strings.Builder
	for j, h := range header {
		if j == maxNames {
			fmt.Fprintf(&b, ", … (%d in all)", len(header))
			break
		}
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(h))
	}
	return b.String()
}

// quote quotes a cell for an error message, cutting long cells.
func quote(c string) string {
	if r := []rune(c); len(r) > maxQuoted {
		return strconv.Quote(string(r[:maxQuoted])) + "…"
	}
	return strconv.Quote(c)
}

// isBlank reports whether a record comes from a line of only whitespace.
func isBlank(rec []string) bool {
	return len(rec) == 1 && strings.TrimSpace(rec[0]) == ""
}

// plural returns "1 cell", "2 cells" and so on.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
