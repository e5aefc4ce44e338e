package representer

import (
	"errors"
	"strconv"
)

// Panic messages for programmer errors.
const (
	badOrder       = "representer: order must be at least 1"
	badLength      = "representer: length mismatch"
	badKnotLength  = "representer: knots and amplitudes differ in length"
	badInputDim    = "representer: input has wrong dimension"
	notUnivariate  = "representer: Eval1D of a network with input_dim ≠ 1"
	badActivation  = "representer: invalid activation; call Validate first"
	nilSplinePanic = "representer: nil spline"
)

// ErrUnsupported is returned, wrapped, by conversions that do not support
// the given network, such as Network.Spline for input_dim ≥ 2.
var ErrUnsupported = errors.New("representer: unsupported")

// ValidationError reports an invalid field of a Network or a Spline. Its
// message names the element and the field, for example
//
//	representer: neuron 3: w has length 2, want 1
type ValidationError struct {
	// Item is "neuron" or "knot" when the problem is in one element of a
	// list, and "" when it is in a field of the whole object.
	Item string
	// Index is the position of the element in its list when Item ≠ "".
	Index int
	// Field is the JSON field name of a Network, the Go field name of a
	// Spline ("location" or "amplitude" within a knot), or "".
	Field string
	// Problem says what is wrong, for example "has length 2, want 1".
	Problem string
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	s := "representer: "
	if e.Item != "" {
		s += e.Item + " " + strconv.Itoa(e.Index) + ": "
	}
	if e.Field != "" {
		s += e.Field + " "
	}
	return s + e.Problem
}
