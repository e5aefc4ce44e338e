package problem

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCSVBad(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		opt  CSVOptions
		want string
	}{
		{name: "empty", in: "",
			want: `data.csv: empty file`},
		{name: "blank and comments only", in: "\n   \n# just a comment\n\t\n",
			want: `data.csv: empty file`},
		{name: "BOM only", in: "\ufeff",
			want: `data.csv: empty file`},
		{name: "header only", in: "x,y\n",
			want: `data.csv: no data rows (only a header)`},
		{name: "header and blank lines", in: "x,y\n\n \n# none\n",
			want: `data.csv: no data rows (only a header)`},
		{name: "one column", in: "x\n1\n",
			want: `data.csv: row 1: 1 column, need at least 2 (inputs and a target)`},
		{name: "one numeric column after comment", in: "# c\n1\n2\n",
			want: `data.csv: row 2: 1 column, need at least 2 (inputs and a target)`},
		{name: "ragged long", in: "x,y\n0,1\n1,2,3\n2,3\n",
			want: `data.csv: row 3: 3 cells, want 2 like the first row`},
		{name: "ragged short", in: "1,2\n3\n",
			want: `data.csv: row 2: 1 cell, want 2 like the first row`},
		{name: "ragged after blank lines", in: "x,y\n\n0,1\n\n\n1,2,\n",
			want: `data.csv: row 6: 3 cells, want 2 like the first row`},
		{name: "ragged CRLF and BOM", in: "\ufeffx,y\r\n1,2\r\n3\r\n",
			want: `data.csv: row 3: 1 cell, want 2 like the first row`},
		{name: "not a number", in: "x,y\n0,1\n1,abc\n2,3\n",
			want: `data.csv: row 3, column 2 ("y"): not a number: "abc"`},
		{name: "not a number without header", in: "0,1\n1,abc\n",
			want: `data.csv: row 2, column 2: not a number: "abc"`},
		{name: "not a number after comments", in: "# c\n\nx,y\n# c\n1,2\n\n3, 4x \n",
			want: `data.csv: row 7, column 2 ("y"): not a number: "4x"`},
		{name: "not a number in input column", in: "a,b,y\n1,2,3\n4,1.2.3,6\n",
			want: `data.csv: row 3, column 2 ("b"): not a number: "1.2.3"`},
		{name: "empty cell", in: "x,y\n1,\n",
			want: `data.csv: row 2, column 2 ("y"): empty cell`},
		{name: "NaN", in: "x,y\n0,1\n1,NaN\n",
			want: `data.csv: row 3, column 2 ("y"): not a finite number: "NaN"`},
		{name: "NaN in first row", in: "nan,1\n",
			want: `data.csv: row 1, column 1: not a finite number: "nan"`},
		{name: "Inf", in: "x,y\n-inf,1\n",
			want: `data.csv: row 2, column 1 ("x"): not a finite number: "-inf"`},
		{name: "Infinity", in: "x,y\n1,+Infinity\n",
			want: `data.csv: row 2, column 2 ("y"): not a finite number: "+Infinity"`},
		{name: "overflow", in: "x,y\n1e999,1\n",
			want: `data.csv: row 2, column 1 ("x"): number out of range: "1e999"`},
		{name: "overflow in first row is data", in: "1,-1e999\n",
			want: `data.csv: row 1, column 2: number out of range: "-1e999"`},
		{name: "long cell is cut", in: "x,y\n1," + strings.Repeat("z", 100) + "\n",
			want: `data.csv: row 2, column 2 ("y"): not a number: "` + strings.Repeat("z", 40) + `"…`},
		{name: "cell with newline", in: "x,y\n1,\"2\n3\"\n",
			want: `data.csv: row 2, column 2 ("y"): not a number: "2\n3"`},
		{name: "negative weight", in: "x,y,w\n0,1,1\n1,2,-1\n", opt: CSVOptions{Weights: "w"},
			want: `data.csv: row 3, column 3 ("w"): negative weight: -1`},
		{name: "negative weight by number", in: "0,1,-2\n", opt: CSVOptions{Weights: "3"},
			want: `data.csv: row 1, column 3: negative weight: -2`},
		{name: "NaN weight", in: "x,y,w\n0,1,NaN\n", opt: CSVOptions{Weights: "w"},
			want: `data.csv: row 2, column 3 ("w"): not a finite number: "NaN"`},
		{name: "all weights zero", in: "x,w,y\n0,0,1\n1,-0,2\n", opt: CSVOptions{Weights: "w"},
			want: `data.csv: column 2 ("w"): all weights are zero`},
		{name: "all weights zero without header", in: "0,0,1\n", opt: CSVOptions{Weights: "2"},
			want: `data.csv: column 2: all weights are zero`},
		{name: "unknown target", in: "x,y\n1,2\n", opt: CSVOptions{Target: "z"},
			want: `data.csv: unknown target column "z" (columns: "x", "y")`},
		{name: "unknown weights", in: "x,y\n1,2\n", opt: CSVOptions{Weights: "weight"},
			want: `data.csv: unknown weights column "weight" (columns: "x", "y")`},
		{name: "target is case sensitive", in: "x,Y\n1,2\n", opt: CSVOptions{Target: "y"},
			want: `data.csv: unknown target column "y" (columns: "x", "Y")`},
		{name: "many columns are cut", in: "a,b,c,d,e,f,g,h,i,j,k,l\n1,2,3,4,5,6,7,8,9,10,11,12\n", opt: CSVOptions{Target: "z"},
			want: `data.csv: unknown target column "z" (columns: "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", … (12 in all))`},
		{name: "name without header", in: "0,1\n", opt: CSVOptions{Target: "y"},
			want: `data.csv: unknown target column "y": the file has no header, give a column number from 1 to 2`},
		{name: "target number too large", in: "x,y\n1,2\n", opt: CSVOptions{Target: "3"},
			want: `data.csv: target column 3 out of range: the file has 2 columns`},
		{name: "target number 0", in: "1,2\n", opt: CSVOptions{Target: "0"},
			want: `data.csv: target column 0 out of range: the file has 2 columns`},
		{name: "weights number negative", in: "1,2\n", opt: CSVOptions{Weights: "-1"},
			want: `data.csv: weights column -1 out of range: the file has 2 columns`},
		{name: "target and weights same by name", in: "x,y,w\n1,2,3\n", opt: CSVOptions{Target: "w", Weights: "w"},
			want: `data.csv: column 3 ("w"): used as both the target and the weights`},
		{name: "target and weights same by name and number", in: "x,y,w\n1,2,3\n", opt: CSVOptions{Target: "y", Weights: "2"},
			want: `data.csv: column 2 ("y"): used as both the target and the weights`},
		{name: "target and weights same by number", in: "1,2,3\n", opt: CSVOptions{Target: "3", Weights: "3"},
			want: `data.csv: column 3: used as both the target and the weights`},
		{name: "no inputs left", in: "y,w\n1,1\n", opt: CSVOptions{Target: "y", Weights: "w"},
			want: `data.csv: row 1: no input columns: the 2 columns are the target and the weights`},
		{name: "no inputs left by default", in: "1,1\n", opt: CSVOptions{Weights: "2"},
			want: `data.csv: row 1: no input columns: the 2 columns are the target and the weights`},
		{name: "ambiguous name", in: "x,x,y\n1,2,3\n", opt: CSVOptions{Target: "x"},
			want: `data.csv: ambiguous target column "x": columns 1 and 2 have that name`},
		{name: "bare quote", in: "x,y\n1,2\"3\n",
			want: `data.csv: row 2: bad CSV: bare " in non-quoted-field`},
		{name: "unterminated quote", in: "x,y\n1,2\n3,\"4\n5,6\n",
			want: `data.csv: row 4: bad CSV: extraneous or missing " in quoted-field (in the record that starts on row 3)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tc.in), "data.csv", tc.opt)
			assert.Nil(t, d)
			require.Error(t, err)
			var ie *InputError
			require.True(t, errors.As(err, &ie), "error %v is not an *InputError", err)
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

func TestReadCSVReaderError(t *testing.T) {
	fail := errors.New("disk on fire")
	_, err := ReadCSV(iotest.ErrReader(fail), "data.csv", CSVOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, fail)
	assert.EqualError(t, err, "data.csv: reading: disk on fire")

	// An error after some good rows, or in the first bytes.
	for _, r := range []io.Reader{
		io.MultiReader(strings.NewReader("x,y\n1,2\n3,"), iotest.ErrReader(fail)),
		io.MultiReader(strings.NewReader("x"), iotest.ErrReader(fail)),
	} {
		_, err = ReadCSV(r, "data.csv", CSVOptions{})
		assert.ErrorIs(t, err, fail)
		var ie *InputError
		assert.ErrorAs(t, err, &ie)
	}
}

func TestReadCSVGood(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		opt  CSVOptions
		want Data // File is always "data.csv"
	}{
		{
			name: "header",
			in:   "x,y\n0,1\n2,3.5\n",
			want: Data{TargetCol: 2, Names: []string{"x"}, Target: "y", Header: true, Dim: 1,
				X: []float64{0, 2}, Y: []float64{1, 3.5}, Lines: []int{2, 3}},
		},
		{
			name: "no header",
			in:   "0,1\n2,-3e-2\n",
			want: Data{TargetCol: 2, Names: []string{"x1"}, Target: "y", Dim: 1,
				X: []float64{0, 2}, Y: []float64{1, -0.03}, Lines: []int{1, 2}},
		},
		{
			name: "no header 2-D",
			in:   "1,2,3\n4,5,6\n",
			want: Data{TargetCol: 3, Names: []string{"x1", "x2"}, Target: "y", Dim: 2,
				X: []float64{1, 2, 4, 5}, Y: []float64{3, 6}, Lines: []int{1, 2}},
		},
		{
			name: "target by name",
			in:   "y,a,b\n1,2,3\n4,5,6\n",
			opt:  CSVOptions{Target: "y"},
			want: Data{TargetCol: 1, Names: []string{"a", "b"}, Target: "y", Header: true, Dim: 2,
				X: []float64{2, 3, 5, 6}, Y: []float64{1, 4}, Lines: []int{2, 3}},
		},
		{
			name: "target by number with header",
			in:   "y,a,b\n1,2,3\n",
			opt:  CSVOptions{Target: "1"},
			want: Data{TargetCol: 1, Names: []string{"a", "b"}, Target: "y", Header: true, Dim: 2,
				X: []float64{2, 3}, Y: []float64{1}, Lines: []int{2}},
		},
		{
			name: "target by number without header",
			in:   "1,2,3\n4,5,6\n",
			opt:  CSVOptions{Target: "2"},
			want: Data{TargetCol: 2, Names: []string{"x1", "x2"}, Target: "y", Dim: 2,
				X: []float64{1, 3, 4, 6}, Y: []float64{2, 5}, Lines: []int{1, 2}},
		},
		{
			name: "header name wins over number",
			in:   "2,y\n5,6\n",
			opt:  CSVOptions{Target: "2"},
			want: Data{TargetCol: 1, Names: []string{"y"}, Target: "2", Header: true, Dim: 1,
				X: []float64{6}, Y: []float64{5}, Lines: []int{2}},
		},
		{
			name: "weights by name",
			in:   "x,w,y\n0,0.5,1\n1,0,2\n",
			opt:  CSVOptions{Weights: "w"},
			want: Data{TargetCol: 3, WeightsCol: 2, Names: []string{"x"}, Target: "y", Weights: "w", Header: true, Dim: 1,
				X: []float64{0, 1}, Y: []float64{1, 2}, W: []float64{0.5, 0}, Lines: []int{2, 3}},
		},
		{
			name: "weights and target by number without header",
			in:   "3,1,2\n0,4,5\n",
			opt:  CSVOptions{Target: "2", Weights: "1"},
			want: Data{TargetCol: 2, WeightsCol: 1, Names: []string{"x1"}, Target: "y", Weights: "w", Dim: 1,
				X: []float64{2, 5}, Y: []float64{1, 4}, W: []float64{3, 0}, Lines: []int{1, 2}},
		},
		{
			// The last column holds the weights: the target is the one before.
			name: "weights last",
			in:   "1,2,3\n4,5,6\n",
			opt:  CSVOptions{Weights: "3"},
			want: Data{TargetCol: 2, WeightsCol: 3, Names: []string{"x1"}, Target: "y", Weights: "w", Dim: 1,
				X: []float64{1, 4}, Y: []float64{2, 5}, W: []float64{3, 6}, Lines: []int{1, 2}},
		},
		{
			name: "weights by number with header",
			in:   "a,omega,b,y\n1,2,3,4\n",
			opt:  CSVOptions{Weights: "2"},
			want: Data{TargetCol: 4, WeightsCol: 2, Names: []string{"a", "b"}, Target: "y", Weights: "omega", Header: true, Dim: 2,
				X: []float64{1, 3}, Y: []float64{4}, W: []float64{2}, Lines: []int{2}},
		},
		{
			// BOM, CRLF, comments, blank lines, padding, quotes, tabs.
			name: "messy",
			in: "\ufeff# generated\r\n\r\n  x , \"y\"\r\n# units: m\r\n 1 ,\t2\r\n\r\n   \r\n\"3\", 4e0 \r\n" +
				"5,6", // no final newline
			opt: CSVOptions{Target: " y "},
			want: Data{TargetCol: 2, Names: []string{"x"}, Target: "y", Header: true, Dim: 1,
				X: []float64{1, 3, 5}, Y: []float64{2, 4, 6}, Lines: []int{5, 8, 9}},
		},
		{
			// Underflow is a number, -0 a valid weight; hex floats parse.
			name: "edge numbers",
			in:   "1e-400,-0,0x1p-2\n1,2,3\n",
			opt:  CSVOptions{Weights: "2"},
			want: Data{TargetCol: 3, WeightsCol: 2, Names: []string{"x1"}, Target: "y", Weights: "w", Dim: 1,
				X: []float64{0, 1}, Y: []float64{0.25, 3}, W: []float64{0, 2}, Lines: []int{1, 2}},
		},
		{
			// All weights zero is an error, one is enough to be fine.
			name: "one positive weight",
			in:   "x,y,w\n0,1,0\n1,2,1e-300\n",
			opt:  CSVOptions{Weights: "w"},
			want: Data{TargetCol: 2, WeightsCol: 3, Names: []string{"x"}, Target: "y", Weights: "w", Header: true, Dim: 1,
				X: []float64{0, 1}, Y: []float64{1, 2}, W: []float64{0, 1e-300}, Lines: []int{2, 3}},
		},
		{
			// An empty header cell gets the default name.
			name: "empty header cell",
			in:   ",y\n1,2\n",
			want: Data{TargetCol: 2, Names: []string{"x1"}, Target: "y", Header: true, Dim: 1,
				X: []float64{1}, Y: []float64{2}, Lines: []int{2}},
		},
		{
			name: "multi-line quoted cell",
			in:   "\"x\nin m\",y\n1,2\n",
			want: Data{TargetCol: 2, Names: []string{"x\nin m"}, Target: "y", Header: true, Dim: 1,
				X: []float64{1}, Y: []float64{2}, Lines: []int{3}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tc.in), "data.csv", tc.opt)
			require.NoError(t, err)
			want := tc.want
			want.File = "data.csv"
			assert.Equal(t, &want, d)
			assert.Equal(t, len(want.Y), d.N())
		})
	}
}

// TestLoadCSVBadFiles checks the example bad files that the CLI tests use.
func TestLoadCSVBadFiles(t *testing.T) {
	dir := filepath.Join("..", "testdata", "bad")
	for _, tc := range []struct {
		file string
		opt  CSVOptions
		want string // after the path
	}{
		{"empty.csv", CSVOptions{}, `: empty file`},
		{"ragged.csv", CSVOptions{}, `: row 3: 3 cells, want 2 like the first row`},
		{"nonnumeric.csv", CSVOptions{}, `: row 3, column 2 ("y"): not a number: "abc"`},
		{"nan.csv", CSVOptions{}, `: row 3, column 2 ("y"): not a finite number: "NaN"`},
		{"inf.csv", CSVOptions{}, `: row 4, column 1 ("x"): not a finite number: "Inf"`},
		{"negweight.csv", CSVOptions{Weights: "w"}, `: row 3, column 3 ("w"): negative weight: -0.5`},
		{"missing.csv", CSVOptions{}, `: no such file or directory`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			d, err := LoadCSV(path, tc.opt)
			assert.Nil(t, d)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, path, ie.File)
			assert.EqualError(t, err, path+tc.want)
		})
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := LoadCSV(filepath.Join(dir, "missing.csv"), CSVOptions{})
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})

	// dupinterp.csv is valid data; only interpolation rejects it.
	t.Run("dupinterp.csv", func(t *testing.T) {
		d, err := LoadCSV(filepath.Join(dir, "dupinterp.csv"), CSVOptions{})
		require.NoError(t, err)
		assert.Equal(t, []int{2, 3, 4, 5}, d.Lines)

		p := d.Problem(Interp{}, 0, 2, true)
		require.NoError(t, p.Validate())
		_, err = p.Group1D()
		require.ErrorIs(t, err, ErrConflict)
		assert.EqualError(t, err,
			"problem: interpolation with conflicting duplicated inputs: x = 1 has targets 1 (sample 2) and 2 (sample 3)")

		p = d.Problem(Squared{}, 1, 2, true)
		require.NoError(t, p.Validate())
		g, err := p.Group1D()
		require.NoError(t, err)
		assert.Equal(t, []float64{0, 1, 2}, g.X)
		assert.Equal(t, []float64{0, 1.5, 0}, g.MeanY)
		assert.Equal(t, 0.25, g.MergeConstant())
	})
}

func TestLoadCSVGood(t *testing.T) {
	path := filepath.Join(t.TempDir(), "good.csv")
	require.NoError(t, os.WriteFile(path, []byte("x,y\n0,1\n1,0\n"), 0o644))
	d, err := LoadCSV(path, CSVOptions{})
	require.NoError(t, err)
	assert.Equal(t, path, d.File)
	assert.Equal(t, []float64{0, 1}, d.X)
	assert.Equal(t, []float64{1, 0}, d.Y)
}

func TestInputErrorMessage(t *testing.T) {
	under := errors.New("cause")
	for _, tc := range []struct {
		err  InputError
		want string
	}{
		{InputError{File: "a.csv", Row: 4, Col: 2, Column: "y", Msg: "bad"}, `a.csv: row 4, column 2 ("y"): bad`},
		{InputError{File: "a.csv", Row: 4, Col: 2, Msg: "bad"}, `a.csv: row 4, column 2: bad`},
		{InputError{File: "a.csv", Row: 4, Msg: "bad"}, `a.csv: row 4: bad`},
		{InputError{File: "a.csv", Col: 3, Column: "w", Msg: "bad"}, `a.csv: column 3 ("w"): bad`},
		{InputError{File: "a.csv", Column: "w", Msg: "bad"}, `a.csv: column "w": bad`},
		{InputError{File: "a.csv", Msg: "empty file"}, `a.csv: empty file`},
		{InputError{Row: 1, Msg: "bad"}, `row 1: bad`},
		{InputError{Msg: "bad"}, `bad`},
		{InputError{File: "a.csv", Err: under}, `a.csv: cause`},
		{InputError{File: "a.csv", Col: 1, Column: "two\nlines", Msg: "x\ny"}, `a.csv: column 1 ("two\nlines"): x y`},
	} {
		assert.Equal(t, tc.want, tc.err.Error())
	}
	err := error(&InputError{File: "a.csv", Msg: "m", Err: under})
	assert.ErrorIs(t, err, under)
}
