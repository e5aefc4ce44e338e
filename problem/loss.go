package problem

import (
	"fmt"
	"math"
	"strings"
)

// Loss is a convex data-fidelity term written as a function of the residual
// r = f(x) − y. The dual programs and certificates of DESIGN §4 only need
// its convex conjugate ℓ*(s) = sup_r (s·r − ℓ(r)); the losses of this
// package have conjugates of the form
//
//	ℓ*(s) = DualCurvature()·s²/2   for |s| ≤ DualBound(),   +Inf otherwise,
//
// which is the structure the interior-point solvers exploit.
type Loss interface {
	// Name is the loss's command-line name.
	Name() string
	// Value returns ℓ(r).
	Value(r float64) float64
	// Deriv returns a subgradient of ℓ at r (0 at a kink).
	Deriv(r float64) float64
	// Conjugate returns ℓ*(s), +Inf outside the conjugate's domain.
	Conjugate(s float64) float64
	// DualBound is the half-width of the conjugate's domain (+Inf if unbounded).
	DualBound() float64
	// DualCurvature is the coefficient c of ℓ*(s) = c·s²/2 on its domain.
	DualCurvature() float64
}

// Squared is the loss ℓ(r) = r²/2.
type Squared struct{}

// Name implements Loss.
func (Squared) Name() string { return "squared" }

// Value implements Loss.
func (Squared) Value(r float64) float64 { return 0.5 * r * r }

// Deriv implements Loss.
func (Squared) Deriv(r float64) float64 { return r }

// Conjugate implements Loss.
func (Squared) Conjugate(s float64) float64 { return 0.5 * s * s }

// DualBound implements Loss.
func (Squared) DualBound() float64 { return math.Inf(1) }

// DualCurvature implements Loss.
func (Squared) DualCurvature() float64 { return 1 }

// L1 is the loss ℓ(r) = |r|.
type L1 struct{}

// Name implements Loss.
func (L1) Name() string { return "l1" }

// Value implements Loss.
func (L1) Value(r float64) float64 { return math.Abs(r) }

// Deriv implements Loss.
func (L1) Deriv(r float64) float64 { return sign(r) }

// Conjugate implements Loss.
func (L1) Conjugate(s float64) float64 {
	if math.Abs(s) > 1 {
		return math.Inf(1)
	}
	return 0
}

// DualBound implements Loss.
func (L1) DualBound() float64 { return 1 }

// DualCurvature implements Loss.
func (L1) DualCurvature() float64 { return 0 }

// Huber is the loss ℓ(r) = r²/2 for |r| ≤ Delta and Delta·(|r| − Delta/2)
// otherwise, the infimal convolution of r²/2 and Delta·|r|.
type Huber struct {
	Delta float64 // transition point, > 0
}

// Name implements Loss.
func (Huber) Name() string { return "huber" }

// Value implements Loss.
func (h Huber) Value(r float64) float64 {
	a := math.Abs(r)
	if a <= h.Delta {
		return 0.5 * r * r
	}
	return h.Delta * (a - 0.5*h.Delta)
}

// Deriv implements Loss.
func (h Huber) Deriv(r float64) float64 {
	return math.Max(-h.Delta, math.Min(h.Delta, r))
}

// Conjugate implements Loss.
func (h Huber) Conjugate(s float64) float64 {
	if math.Abs(s) > h.Delta {
		return math.Inf(1)
	}
	return 0.5 * s * s
}

// DualBound implements Loss.
func (h Huber) DualBound() float64 { return h.Delta }

// DualCurvature implements Loss.
func (Huber) DualCurvature() float64 { return 1 }

// Interp is the interpolation constraint f(x_n) = y_n written as a loss:
// ℓ(0) = 0 and ℓ(r) = +Inf for r ≠ 0. Its conjugate is identically 0.
type Interp struct{}

// Name implements Loss.
func (Interp) Name() string { return "interp" }

// Value implements Loss.
func (Interp) Value(r float64) float64 {
	if r != 0 {
		return math.Inf(1)
	}
	return 0
}

// Deriv implements Loss.
func (Interp) Deriv(float64) float64 { return 0 }

// Conjugate implements Loss.
func (Interp) Conjugate(float64) float64 { return 0 }

// DualBound implements Loss.
func (Interp) DualBound() float64 { return math.Inf(1) }

// DualCurvature implements Loss.
func (Interp) DualCurvature() float64 { return 0 }

// IsInterp reports whether l is the interpolation constraint.
func IsInterp(l Loss) bool {
	_, ok := l.(Interp)
	return ok
}

// ParseLoss returns the loss with the given command-line name; delta is
// the Huber transition point and is ignored by the other losses.
func ParseLoss(name string, delta float64) (Loss, error) {
	switch strings.ToLower(name) {
	case "squared", "sq", "l2":
		return Squared{}, nil
	case "l1", "abs":
		return L1{}, nil
	case "huber":
		if !(delta > 0) || math.IsInf(delta, 0) {
			return nil, fmt.Errorf("huber delta must be finite and > 0, got %v", delta)
		}
		return Huber{Delta: delta}, nil
	case "interp", "interpolation":
		return Interp{}, nil
	}
	return nil, fmt.Errorf("unknown loss %q (want interp, squared, l1 or huber)", name)
}

func sign(r float64) float64 {
	switch {
	case r > 0:
		return 1
	case r < 0:
		return -1
	}
	return 0
}
