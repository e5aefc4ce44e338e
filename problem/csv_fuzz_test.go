package problem

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzReadCSV checks that ReadCSV never panics and returns either an
// *InputError with a one-line message or data with consistent lengths
// and finite values, whatever the file and the column options.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []struct {
		in              string
		target, weights string
	}{
		{"x,y\n0,1\n1,2\n", "", ""},
		{"0,1\n1,2\n2,4\n", "", ""},
		{"a,b,y\n1,2,3\n4,5,6\n", "y", ""},
		{"x,w,y\n0,0.5,1\n1,0,2\n", "", "w"},
		{"3,1,2\n0,4,5\n", "2", "1"},
		{"\ufeff# c\r\n\r\n x , \"y\"\r\n 1 ,\t2\r\n", " y ", ""},
		{"", "", ""},
		{"x,y\n", "", ""},
		{"x\n1\n", "", ""},
		{"x,y\n0,1\n1,2,3\n", "", ""},
		{"x,y\n1,abc\n", "", ""},
		{"x,y\nNaN,1\n", "", ""},
		{"x,y\n1,-Inf\n", "", ""},
		{"x,y\n1e999,1\n", "", ""},
		{"x,y,w\n0,1,-1\n", "", "w"},
		{"x,y,w\n0,1,0\n", "", "w"},
		{"x,y\n1,2\n", "z", ""},
		{"x,y,w\n1,2,3\n", "w", "w"},
		{"y,w\n1,1\n", "y", "w"},
		{"x,x,y\n1,2,3\n", "x", ""},
		{"x,y\n1,2\"3\n", "", ""},
		{"x,y\n1,\"2\n", "", ""},
		{"\"x\ny\",z\n1,2\n", "", ""},
	} {
		f.Add(seed.in, seed.target, seed.weights)
	}
	f.Fuzz(func(t *testing.T, in, target, weights string) {
		d, err := ReadCSV(strings.NewReader(in), "fuzz.csv", CSVOptions{Target: target, Weights: weights})
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an *InputError", err, err)
			}
			if d != nil {
				t.Fatalf("data and error %v", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.csv: ") || strings.Contains(msg, "\n") {
				t.Fatalf("bad message %q", msg)
			}
			return
		}
		n := len(d.Y)
		switch {
		case n == 0:
			t.Fatal("no samples and no error")
		case d.Dim < 1 || len(d.X) != n*d.Dim:
			t.Fatalf("%d inputs for %d samples of dimension %d", len(d.X), n, d.Dim)
		case len(d.Names) != d.Dim:
			t.Fatalf("%d names for dimension %d", len(d.Names), d.Dim)
		case len(d.Lines) != n:
			t.Fatalf("%d lines for %d samples", len(d.Lines), n)
		case d.W != nil && len(d.W) != n:
			t.Fatalf("%d weights for %d samples", len(d.W), n)
		case (d.W != nil) != (weights != ""):
			t.Fatalf("weights %v with option %q", d.W, weights)
		}
		for i, l := range d.Lines {
			if l < 1 || (i > 0 && l <= d.Lines[i-1]) {
				t.Fatalf("lines %v not increasing from 1", d.Lines)
			}
		}
		for _, s := range [][]float64{d.X, d.Y, d.W} {
			for _, v := range s {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite value %v", v)
				}
			}
		}
		if d.W != nil {
			pos := false
			for _, w := range d.W {
				if w < 0 {
					t.Fatalf("negative weight %v", w)
				}
				pos = pos || w > 0
			}
			if !pos {
				t.Fatal("all weights zero and no error")
			}
		}
		// What ReadCSV accepts, a problem accepts.
		if err := d.Problem(Squared{}, 1, 2, true).Validate(); err != nil {
			t.Fatalf("valid data, invalid problem: %v", err)
		}
	})
}
