package verify

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"codeberg.org/sbinet/npyio/npz"

	"github.com/ridgeline-nn/ridgeline/representer"
)

// ErrBadNetwork is matched (errors.Is) by every *FileError: a network file
// that cannot be read or does not hold a valid network.
var ErrBadNetwork = errors.New("verify: bad network file")

// FileError is a network file that cannot be used. Its message is one line
// that names the file, for example
//
//	net.npz: missing array "v" (the file has w, b, poly)
type FileError struct {
	File string // the file's path
	Msg  string // what is wrong
	Err  error  // the underlying error (I/O, decoding, *representer.ValidationError), may be nil
}

// Error implements the error interface.
func (e *FileError) Error() string { return e.File + ": " + e.Msg }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// Is reports whether target is ErrBadNetwork.
func (e *FileError) Is(target error) bool { return target == ErrBadNetwork }

// ReadNetworkFile reads a network from path: a NumPy .npz archive (see
// ReadNPZ) when the name ends in ".npz", and a NETWORK JSON object (DESIGN
// §6, representer.ReadNetwork) otherwise. Every error is a *FileError.
func ReadNetworkFile(path string) (*representer.Network, error) {
	if strings.EqualFold(filepath.Ext(path), ".npz") {
		return ReadNPZ(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{File: path, Msg: ioMessage(err), Err: err}
	}
	defer f.Close()
	net, err := representer.ReadNetwork(f)
	if err != nil {
		return nil, &FileError{File: path, Msg: strings.TrimPrefix(err.Error(), "representer: "), Err: err}
	}
	return net, nil
}

// ioMessage is the message of an I/O error without the path that
// FileError already names.
func ioMessage(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

// ReadNPZ reads a network from a NumPy .npz archive, as written by
// numpy.savez from a PyTorch or NumPy model (DESIGN §6). The arrays are
//
//	w       K×d or K      input weights (PyTorch's Linear(d, K).weight)
//	b       K             offsets: the unit is ρ_m(w·x − b), so b = −(PyTorch bias)
//	v       K             output weights
//	poly    m             polynomial c_0, …, c_{m−1} (d = 1); a single
//	                      entry is the output bias of a network without skip
//	linear  d             or a linear skip part cᵀx …
//	bias    scalar        … and the output bias c_0
//	order   scalar        optional, the order m, default 2
//
// Exactly one of poly and linear + bias must be present (bias alone is a
// network without skip connection). Floating-point arrays may be float32
// or float64, order may be any integer type, scalars may also be
// one-element arrays, and C or Fortran layout is accepted. A 1-D network
// given by linear and bias becomes Polynomial = [bias, linear[0], 0, …].
//
// Every error is a *FileError naming the file: a missing array, a wrong
// shape, a non-numeric type, an order that does not match the polynomial,
// or a non-finite weight (the *representer.ValidationError of Validate,
// wrapped).
func ReadNPZ(path string) (*representer.Network, error) {
	bad := func(format string, args ...any) error {
		return &FileError{File: path, Msg: fmt.Sprintf(format, args...)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{File: path, Msg: ioMessage(err), Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &FileError{File: path, Msg: ioMessage(err), Err: err}
	}
	rz, err := npz.NewReader(f, st.Size())
	if err != nil {
		return nil, &FileError{File: path, Msg: "not a NumPy .npz archive (zip): " + trimNPZ(err), Err: err}
	}
	ar := &npzArchive{path: path, r: rz}
	for _, k := range rz.Keys() {
		ar.names = append(ar.names, strings.TrimSuffix(k, ".npy"))
	}

	for _, name := range []string{"w", "b", "v"} {
		if !ar.has(name) {
			return nil, bad("missing array %q (want w, b, v and poly or linear and bias; the file has %s)", name, ar.list())
		}
	}
	w, err := ar.read("w")
	if err != nil {
		return nil, err
	}
	var k, d int
	switch len(w.shape) {
	case 1:
		k, d = w.shape[0], 1
	case 2:
		k, d = w.shape[0], w.shape[1]
	default:
		return nil, bad("array \"w\" has shape %s, want (K, d) or (K,)", shapeString(w.shape))
	}
	if d < 1 {
		return nil, bad("array \"w\" has shape %s: no input dimension", shapeString(w.shape))
	}
	b, err := ar.vector("b", k, "one offset per row of w")
	if err != nil {
		return nil, err
	}
	v, err := ar.vector("v", k, "one output weight per row of w")
	if err != nil {
		return nil, err
	}

	order := 2
	if ar.has("order") {
		o, err := ar.scalar("order")
		if err != nil {
			return nil, err
		}
		if o.data[0] != math.Trunc(o.data[0]) || o.data[0] < 1 || o.data[0] > representer.MaxOrder {
			return nil, bad("array \"order\" is %v, want an integer from 1 to %d", o.data[0], representer.MaxOrder)
		}
		order = int(o.data[0])
	}

	net := &representer.Network{Order: order, InputDim: d, Neurons: make([]representer.Neuron, k)}
	for i := range net.Neurons {
		net.Neurons[i] = representer.Neuron{W: slices.Clone(w.data[i*d : (i+1)*d]), B: b[i], V: v[i]}
	}

	hasPoly, hasLin, hasBias := ar.has("poly"), ar.has("linear"), ar.has("bias")
	noSkip := func() {
		f := false
		net.Skip = &f
	}
	switch {
	case hasPoly && (hasLin || hasBias):
		return nil, bad("has both poly and linear/bias, want one polynomial part")
	case hasPoly:
		poly, err := ar.read("poly")
		if err != nil {
			return nil, err
		}
		if len(poly.shape) > 1 {
			return nil, bad("array \"poly\" has shape %s, want (m,)", shapeString(poly.shape))
		}
		if d != 1 {
			return nil, bad("has poly for input dimension %d (w has shape %s), want linear and bias", d, shapeString(w.shape))
		}
		switch n := len(poly.data); {
		case n == order:
			net.Polynomial = poly.data
		case n == 1:
			// Only the output bias: a network without skip connection.
			net.Polynomial = poly.data
			noSkip()
		default:
			return nil, bad("order %d does not match poly of length %d (want %d coefficients c_0…c_%d, or 1 for the output bias only)",
				order, n, order, order-1)
		}
	case hasLin && !hasBias:
		return nil, bad("has linear but no bias array (the output bias c_0)")
	case hasLin || hasBias:
		bias, err := ar.scalar("bias")
		if err != nil {
			return nil, err
		}
		var lin []float64
		if hasLin {
			if lin, err = ar.vector("linear", d, "one coefficient per input"); err != nil {
				return nil, err
			}
		}
		switch {
		case d == 1:
			net.Polynomial = make([]float64, order)
			net.Polynomial[0] = bias.data[0]
			switch {
			case !hasLin:
				net.Polynomial = net.Polynomial[:1]
				noSkip()
			case order >= 2:
				net.Polynomial[1] = lin[0]
			case lin[0] != 0:
				return nil, bad("order 1 has no linear term, but linear is %v", lin[0])
			}
		case hasLin && order == 2:
			net.Linear, net.Bias = lin, bias.data[0]
		case hasLin:
			return nil, bad("order %d with input dimension %d has no linear part", order, d)
		default:
			net.Bias = bias.data[0]
			noSkip()
		}
	default:
		return nil, bad("missing the polynomial part: want poly (m) or linear (d) and bias (scalar); the file has %s", ar.list())
	}
	if err := net.Validate(); err != nil {
		return nil, &FileError{File: path, Msg: strings.TrimPrefix(err.Error(), "representer: "), Err: err}
	}
	return net, nil
}

// npzArchive is an open .npz file and the names of its arrays.
type npzArchive struct {
	path  string
	r     *npz.Reader
	names []string // without the ".npy" suffix
}

// npzArray is one array converted to float64 in C (row-major) order.
type npzArray struct {
	data  []float64
	shape []int
}

func (a *npzArchive) has(name string) bool { return slices.Contains(a.names, name) }

func (a *npzArchive) list() string {
	if len(a.names) == 0 {
		return "no arrays"
	}
	return strings.Join(a.names, ", ")
}

// read reads the named array as float64 in row-major order, whatever its
// numeric type and layout.
func (a *npzArchive) read(name string) (*npzArray, error) {
	key := name + ".npy"
	h := a.r.Header(key)
	if h == nil {
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("array %q is not a readable .npy entry", name)}
	}
	typ := h.Descr.Type
	shape := slices.Clone(h.Descr.Shape)
	out := &npzArray{shape: shape}
	var err error
	kind := strings.TrimLeft(strings.Trim(typ, `'"`), "<>|=")
	switch kind {
	case "f8":
		var x []float64
		err = a.r.Read(key, &x)
		out.data = x
	case "f4":
		out.data, err = readConv[float32](a.r, key)
	case "i8":
		out.data, err = readConv[int64](a.r, key)
	case "i4":
		out.data, err = readConv[int32](a.r, key)
	case "i2":
		out.data, err = readConv[int16](a.r, key)
	case "i1":
		out.data, err = readConv[int8](a.r, key)
	case "u8":
		out.data, err = readConv[uint64](a.r, key)
	case "u4":
		out.data, err = readConv[uint32](a.r, key)
	case "u2":
		out.data, err = readConv[uint16](a.r, key)
	case "u1":
		out.data, err = readConv[uint8](a.r, key)
	default:
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("array %q has type %s, want float32, float64 or an integer type", name, typ)}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("reading array %q: %s", name, trimNPZ(err)), Err: err}
	}
	n := 1
	for _, s := range shape {
		n *= s
	}
	if len(out.data) != n {
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("array %q has %d values for shape %s", name, len(out.data), shapeString(shape))}
	}
	if h.Descr.Fortran && len(shape) == 2 {
		// Column-major storage: transpose into row-major.
		r, c := shape[0], shape[1]
		t := make([]float64, n)
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				t[i*c+j] = out.data[j*r+i]
			}
		}
		out.data = t
	} else if h.Descr.Fortran && len(shape) > 2 {
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("array %q has shape %s, want at most 2 dimensions", name, shapeString(shape))}
	}
	return out, nil
}

// vector reads the named array and checks that it holds n values in
// shape (n,) (or (n, 1)); why says what the entries are.
func (a *npzArchive) vector(name string, n int, why string) ([]float64, error) {
	arr, err := a.read(name)
	if err != nil {
		return nil, err
	}
	ok := len(arr.shape) == 1 && arr.shape[0] == n ||
		len(arr.shape) == 2 && arr.shape[0] == n && arr.shape[1] == 1 ||
		len(arr.shape) == 2 && arr.shape[0] == 1 && arr.shape[1] == n // PyTorch's Linear(K, 1).weight
	if !ok {
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("array %q has shape %s, want (%d,): %s", name, shapeString(arr.shape), n, why)}
	}
	return arr.data, nil
}

// scalar reads the named array and checks that it holds one value, as a
// 0-d array or an array of shape (1,) or (1, 1).
func (a *npzArchive) scalar(name string) (*npzArray, error) {
	arr, err := a.read(name)
	if err != nil {
		return nil, err
	}
	if len(arr.data) != 1 {
		return nil, &FileError{File: a.path, Msg: fmt.Sprintf("array %q has shape %s, want a scalar", name, shapeString(arr.shape))}
	}
	return arr, nil
}

// number is the element types readConv converts.
type number interface {
	~float32 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// readConv reads the array key as []T and converts it to float64.
func readConv[T number](r *npz.Reader, key string) ([]float64, error) {
	var x []T
	err := r.Read(key, &x)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out, err
}

// shapeString writes a shape as NumPy does: (3, 2), (3,), ().
func shapeString(s []int) string {
	switch len(s) {
	case 0:
		return "()"
	case 1:
		return fmt.Sprintf("(%d,)", s[0])
	}
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = fmt.Sprint(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// trimNPZ drops npyio's package prefixes from an error message.
func trimNPZ(err error) string {
	s := err.Error()
	for _, p := range []string{"npz: ", "could not read from npz reader: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	return s
}
