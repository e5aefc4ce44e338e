package representer

import (
	"fmt"
	"math"
	"sort"
)

// knotMergeTol is the relative distance below which Network.Spline treats
// two knot locations b/w as one knot: |t₁ − t₂| ≤ knotMergeTol·max(1, |t₁|).
// Neurons that share a knot in exact arithmetic (say (w, b) and (3w, 3b))
// can differ by an ulp after the division; left apart, amplitudes of
// opposite sign would not cancel, TV would overstate ‖D^m f‖_M, and the
// spline would have knots an ulp apart.
const knotMergeTol = 1e-12

// Balanced returns the balanced network of the univariate spline s
// (DESIGN §2): one neuron per knot with a_k ≠ 0,
//
//	w_k = |a_k|^{1/(2(m−1))},  v_k = sign(a_k)·|a_k|^{1/2},  b_k = w_k·t_k,
//
// so that v_k·w_k^{m−1} = a_k and v_k² = w_k^{2(m−1)} = |a_k|; for m = 1 the
// neuron is w_k = 1, b_k = t_k, v_k = a_k. The polynomial is copied (padded
// with zeros to Order coefficients). The network computes the same function
// as s and its weight decay and path norm both equal s.TV().
//
// Balanced panics if s is nil, its order is less than 1 or its knots and
// amplitudes differ in length.
func Balanced(s *Spline) *Network {
	s.checkShape()
	m := s.Order
	n := &Network{
		Order:      m,
		InputDim:   1,
		Neurons:    make([]Neuron, 0, len(s.Knots)),
		Polynomial: make([]float64, max(m, len(s.Poly))),
	}
	copy(n.Polynomial, s.Poly)
	for k, t := range s.Knots {
		a := s.Amps[k]
		if a == 0 {
			continue
		}
		if m == 1 {
			n.Neurons = append(n.Neurons, Neuron{W: []float64{1}, B: t, V: a})
			continue
		}
		abs := math.Abs(a)
		v := math.Copysign(math.Sqrt(abs), a)
		var w float64
		switch m {
		case 2:
			w = math.Sqrt(abs)
		case 3:
			w = math.Sqrt(math.Sqrt(abs))
		case 4:
			w = math.Cbrt(math.Sqrt(abs))
		default:
			w = math.Pow(abs, 1/float64(2*(m-1)))
		}
		n.Neurons = append(n.Neurons, Neuron{W: []float64{w}, B: w * t, V: v})
	}
	return n
}

// knot is a knot location with its amplitude, before merging.
type knot struct{ t, a float64 }

// Spline returns the univariate spline that n computes (DESIGN §2), for a
// valid network with InputDim = 1. Every neuron v·φ(w x − b) becomes:
//
//   - w > 0: the knot t = b/w with amplitude a = v·w^{m−1}, since ρ_m is
//     positively homogeneous of degree m − 1;
//   - w < 0: the same knot t = b/w with amplitude (−1)^m·v·|w|^{m−1} plus the
//     polynomial (−1)^{m−1}·v·(|w|x + b)^{m−1}/(m−1)!, by the identity
//     ρ_m(−s) = (−1)^m ρ_m(s) + (−1)^{m−1} s^{m−1}/(m−1)! with
//     s = |w|(x − t) = |w|x + b;
//   - w = 0: the constant v·ρ_m(−b), added to the polynomial.
//
// The order-2 variants are written as φ(t) = lin·t + hinge·ReLU(t)
// (leaky: max(t, αt) = min(1, α)t + |1 − α|ReLU(t); abs: |t| = 2ReLU(t) − t)
// and the linear part goes to the polynomial. Knots that are equal or
// relatively close, |t₁ − t₂| ≤ 1e-12·max(1, |t₁|), are merged at t₁ by
// summing their amplitudes, knots
// whose merged amplitude is exactly 0 are dropped, and the result has
// sorted knots and Order polynomial coefficients. When Skip is false the
// network's own polynomial is its output bias only, but backward neurons
// and variants still contribute polynomial terms.
//
// Its TV is the function norm ‖D^m f‖_M, which for the default activation
// satisfies TV ≤ PathNorm ≤ WeightDecay.
//
// For m = 1 the identity above fails at s = 0 (ρ_1(0) = 1 on both sides),
// so the spline differs from a network with a backward step neuron at that
// neuron's knot, and only there.
//
// Spline returns the *ValidationError of Validate for an invalid network
// and an error wrapping ErrUnsupported when InputDim ≠ 1.
func (n *Network) Spline() (*Spline, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if n.InputDim != 1 {
		return nil, fmt.Errorf("%w: spline of a network with input_dim %d, want 1", ErrUnsupported, n.InputDim)
	}
	m := n.Order
	lin, hinge := n.mustActivation().split()

	poly := make([]float64, m)
	if n.skip() {
		copy(poly, n.Polynomial)
	} else {
		poly[0] = n.Polynomial[0]
	}
	sign := 1.0 // (−1)^m
	if m%2 == 1 {
		sign = -1
	}
	fact := invFactorial(m - 1)

	knots := make([]knot, 0, len(n.Neurons))
	for _, u := range n.Neurons {
		w, b := u.W[0], u.B
		if lin != 0 {
			// v·lin·(w x − b); lin ≠ 0 only for order 2.
			poly[0] -= u.V * lin * b
			poly[1] += u.V * lin * w
		}
		v := u.V * hinge
		switch {
		case v == 0:
		case w > 0:
			knots = append(knots, knot{t: b / w, a: v * powInt(w, m-1)})
		case w < 0:
			aw := -w
			knots = append(knots, knot{t: b / w, a: sign * v * powInt(aw, m-1)})
			// (−1)^{m−1}·v·(|w|x + b)^{m−1}/(m−1)! in the power basis:
			// Σ_i C(m−1, i)·|w|^i·b^{m−1−i}·x^i.
			c := -sign * v * fact
			for i := 0; i < m; i++ {
				poly[i] += c * binomial(m-1, i) * powInt(aw, i) * powInt(b, m-1-i)
			}
		default:
			poly[0] += v * Rho(m, -b)
		}
	}

	sort.SliceStable(knots, func(i, j int) bool { return knots[i].t < knots[j].t })
	s := &Spline{Order: m, Poly: poly}
	for i := 0; i < len(knots); {
		t, a := knots[i].t, knots[i].a
		j := i + 1
		for ; j < len(knots); j++ {
			if tj := knots[j].t; tj != t && tj-t > knotMergeTol*math.Max(1, math.Abs(t)) {
				break
			}
			a += knots[j].a
		}
		if a != 0 {
			s.Knots = append(s.Knots, t)
			s.Amps = append(s.Amps, a)
		}
		i = j
	}
	return s, nil
}
