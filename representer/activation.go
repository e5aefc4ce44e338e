package representer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Rho returns the truncated power ρ_m(t) of DESIGN §2,
//
//	ρ_m(t) = max(t, 0)^{m−1} / (m−1)!   for m ≥ 2,
//	ρ_1(t) = 1 if t ≥ 0, else 0,
//
// the Green's function of D^m: D^m ρ_m(· − t) = δ_t. ρ_2 is the ReLU.
// The step ρ_1 is defined explicitly rather than through 0⁰ so that its
// value at the jump is 1. Rho returns NaN for a NaN t and panics if m < 1.
func Rho(m int, t float64) float64 {
	if m < 1 {
		panic(badOrder)
	}
	switch {
	case math.IsNaN(t):
		return math.NaN()
	case m == 1:
		if t >= 0 {
			return 1
		}
		return 0
	case t <= 0:
		return 0
	}
	// t^{m−1}/(m−1)! as the product Π_{j<m} t/j, which neither overflows
	// the factorial nor loses the leading digits of t^{m−1}.
	r := t
	for j := 2; j < m; j++ {
		r *= t / float64(j)
	}
	return r
}

// invFactorial returns 1/n!.
func invFactorial(n int) float64 {
	r := 1.0
	for j := 2; j <= n; j++ {
		r /= float64(j)
	}
	return r
}

// powInt returns x^n for n ≥ 0 with x^0 = 1 for every x, including 0.
func powInt(x float64, n int) float64 {
	r := 1.0
	for ; n > 0; n-- {
		r *= x
	}
	return r
}

// binomial returns the binomial coefficient C(n, k) for 0 ≤ k ≤ n.
func binomial(n, k int) float64 {
	r := 1.0
	for j := 1; j <= k; j++ {
		r = r * float64(n-k+j) / float64(j)
	}
	return r
}

// activationKind enumerates the hidden-unit functions of DESIGN §6.
type activationKind int

const (
	actRho   activationKind = iota // ρ_m, the default ("" or "relu")
	actLeaky                       // max(t, αt), order 2 only
	actAbs                         // |t|, order 2 only
)

// activation is a parsed Network.Activation.
type activation struct {
	kind  activationKind
	alpha float64 // slope parameter of actLeaky
}

// parseActivation parses the "activation" field of a network of order m.
func parseActivation(s string, m int) (activation, error) {
	var a activation
	switch {
	case s == "" || s == "relu":
		return activation{kind: actRho}, nil
	case s == "abs":
		a = activation{kind: actAbs}
	case strings.HasPrefix(s, "leaky:"):
		alpha, err := strconv.ParseFloat(strings.TrimPrefix(s, "leaky:"), 64)
		if err != nil || math.IsNaN(alpha) || math.IsInf(alpha, 0) {
			return a, fmt.Errorf("activation %q has no finite slope α after \"leaky:\"", s)
		}
		a = activation{kind: actLeaky, alpha: alpha}
	default:
		return a, fmt.Errorf("activation %q is unknown, want \"relu\", \"leaky:α\" or \"abs\"", s)
	}
	if m != 2 {
		return a, fmt.Errorf("activation %q needs order 2, have order %d", s, m)
	}
	return a, nil
}

// eval returns the unit's value at t for a network of order m.
func (a activation) eval(m int, t float64) float64 {
	switch a.kind {
	case actLeaky:
		return math.Max(t, a.alpha*t)
	case actAbs:
		return math.Abs(t)
	}
	return Rho(m, t)
}

// split writes an order-2 unit as φ(t) = lin·t + hinge·ReLU(t):
//
//	max(t, αt) = min(1, α)·t + |1 − α|·ReLU(t),
//	|t|        = −t + 2·ReLU(t),
//
// and ρ_m itself is lin = 0, hinge = 1.
func (a activation) split() (lin, hinge float64) {
	switch a.kind {
	case actLeaky:
		return math.Min(1, a.alpha), math.Abs(1 - a.alpha)
	case actAbs:
		return -1, 2
	}
	return 0, 1
}
