package certificate

import (
	"errors"
	"fmt"
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// Certificate is a verified optimality certificate for a 1-D problem
// (DESIGN §4): the objective J of a given function, evaluated directly, and
// a lower bound L on the optimum, computed from a dual vector u whose
// feasibility was established here from scratch.
type Certificate struct {
	Objective   float64 // J(f) = Σω ℓ + λ·Regularizer (Interp: Regularizer)
	LossValue   float64 // Σ_n ω_n ℓ(f(x_n) − y_n)
	Regularizer float64 // ‖D^m f‖_M of the function (Σ|a_k|)
	MaxResidual float64 // max |f(x_n) − y_n| (the feasibility error for Interp)
	LowerBound  float64 // L ≤ optimum
	Gap         float64 // (J − L)/|J|, 0 when J = L = 0
	GapAbs      float64 // J − L
	Sup         float64 // sup_t |η(t)| of the projected dual vector before scaling
	Alpha       float64 // the scaling applied to the projected dual vector
}

// ErrDual is wrapped by errors about an unusable dual vector.
var ErrDual = errors.New("certificate: unusable dual vector")

// yuSlack times Σ|ỹ_n u_n| + ‖ỹ‖‖u‖ is the rounding allowance subtracted
// from the dual objective's linear term: the compensated dot product is
// accurate to a few eps of Σ|ỹ_n u_n|, and what the projections leave of
// the polynomial parts contributes at most a few eps of ‖ỹ‖‖u‖.
const yuSlack = 16 * 0x1p-52

// boundRounding is the relative excess of a lower bound over the objective
// that Certified still attributes to rounding.
const boundRounding = 1e-9

// interpTol is the largest relative interpolation error |f(x_n) − y_n| that
// still counts as feasible for the Interp loss: a few hundred roundings of
// the data's scale.
const interpTol = 1e-9

// Evaluate computes the certificate of the spline s for problem p using the
// dual vector u (one entry per sample, in the problem's order; nil means
// the natural choice from the residuals, u_n = ω_n ℓ'(y_n − f(x_n)), which is
// exact for the squared and Huber losses at the optimum).
//
// The steps follow DESIGN §4: J from s directly; u projected onto the
// orthogonal complement of the polynomials of degree < m at the inputs
// (over the samples that carry loss); S = sup|η| exactly on the continuum;
// then the best feasible scaling α of u and L = D(αu).
func Evaluate(p *problem.Problem, s *representer.Spline, u []float64) (*Certificate, error) {
	if p.Dim != 1 {
		return nil, fmt.Errorf("certificate: dimension %d not supported", p.Dim)
	}
	return EvaluateOrdered(p, problem.SortedOrder(p.X), s, u)
}

// EvaluateOrdered is Evaluate for a caller that has already sorted the
// inputs: ord is the permutation returned by problem.SortedOrder(p.X). It
// is checked: an ord that is not a permutation sorting the inputs is an
// error.
func EvaluateOrdered(p *problem.Problem, ord []int, s *representer.Spline, u []float64) (*Certificate, error) {
	if err := checkArgs(p, ord, s, u); err != nil {
		return nil, err
	}
	if p.Order == 1 {
		return evaluateStep(p, ord, s, u)
	}
	return evaluateGeneral(p, ord, s, u)
}

// checkArgs checks the sizes and orders of the arguments of the Evaluate
// functions (u may be nil).
func checkArgs(p *problem.Problem, ord []int, s *representer.Spline, u []float64) error {
	if p.Dim != 1 {
		return fmt.Errorf("certificate: dimension %d not supported", p.Dim)
	}
	if s.Order != p.Order {
		return fmt.Errorf("certificate: spline of order %d for a problem of order %d", s.Order, p.Order)
	}
	n := p.N()
	if len(ord) != n {
		return fmt.Errorf("certificate: order of length %d for %d samples", len(ord), n)
	}
	if u != nil && len(u) != n {
		return fmt.Errorf("%w: length %d for %d samples", ErrDual, len(u), n)
	}
	return nil
}

// EvaluateSorted is EvaluateOrdered with the dual vector in sorted order:
// us[k] is the entry of sample ord[k] (nil: the residual dual). A caller
// that holds its dual in sorted order (a solver working on the sorted
// samples) so saves the scatter into the problem's order and, for order 1,
// the certificate the gather back. Nothing is taken on trust: ord is
// checked to be a permutation that sorts the inputs, and the dual is
// verified from scratch, exactly as by EvaluateOrdered, whose certificate
// for the same dual in the problem's order this is, bit for bit.
func EvaluateSorted(p *problem.Problem, ord []int, s *representer.Spline, us []float64) (*Certificate, error) {
	if err := checkArgs(p, ord, s, us); err != nil {
		return nil, err
	}
	if p.Order == 1 {
		return stepCertificate(p, ord, nil, s, us, true)
	}
	// The general evaluation works in sorted order; ord is checked when
	// the Evaluator is made.
	e, err := newEvaluator(p, ord, false)
	if err != nil {
		return nil, err
	}
	return e.evaluate(p.Lambda, s, us, true)
}

// evaluateGeneral is EvaluateOrdered for orders ≥ 2, on arguments of
// matching sizes: one evaluation by an Evaluator. It takes every order
// through the general evaluation, order 1 included, where it is the
// tests' independent reference for evaluateStep.
func evaluateGeneral(p *problem.Problem, ord []int, s *representer.Spline, u []float64) (*Certificate, error) {
	e, err := newEvaluator(p, ord, false)
	if err != nil {
		return nil, err
	}
	return e.Evaluate(p.Lambda, s, u)
}

// gatherSorted sets xs[k] = x[ord[k]] and checks that ord is a permutation
// of 0 … len(x)−1 that puts x in non-decreasing order: everything the
// certificate computes over the sorted inputs rests on it.
func gatherSorted(xs, x []float64, ord []int) error {
	seen := make([]uint64, (len(x)+63)/64)
	for k, i := range ord {
		if i < 0 || i >= len(x) || seen[i>>6]&(1<<(i&63)) != 0 {
			return fmt.Errorf("certificate: order is not a permutation (entry %d is %d)", k, i)
		}
		seen[i>>6] |= 1 << (i & 63)
		xs[k] = x[i]
		if k > 0 && xs[k] < xs[k-1] {
			return fmt.Errorf("certificate: order does not sort the inputs (entry %d)", k)
		}
	}
	return nil
}

// objective sets c.Objective from the loss value, the regulariser and, for
// Interp, the largest residual against yscale = max|y|.
func (c *Certificate) objective(p *problem.Problem, yscale float64) {
	if problem.IsInterp(p.Loss) {
		c.Objective = c.Regularizer
		if c.MaxResidual > interpTol*yscale {
			c.Objective = math.Inf(1)
		}
		return
	}
	c.Objective = c.LossValue + p.Lambda*c.Regularizer
}

// dualSums are the sums over the active samples of the projected dual u and
// the projected targets ỹ that the scaling of step 3 needs.
type dualSums struct {
	yu, yuComp float64 // Σỹu, compensated
	yuAbs      float64 // Σ|ỹu|
	yy, uu     float64 // Σỹ², Σu²
	uwu        float64 // Σu²/ω (not for Interp)
	boxAlpha   float64 // min ω·DualBound/|u|
	bound      float64 // the loss's DualBound
	interp     bool
}

func newDualSums(p *problem.Problem) dualSums {
	return dualSums{boxAlpha: math.Inf(1), bound: p.Loss.DualBound(), interp: problem.IsInterp(p.Loss)}
}

// addAll adds the active samples (active[k]; all if active is nil) of
// projected targets ys, projected duals us and weights ws. The sums are
// kept in local variables, which the compiler holds in registers, and
// stored once. (stepCertificate forms the same sums in its last pass,
// lastPass, in halves and with Knuth's TwoSum.)
func (d *dualSums) addAll(ys, us, ws []float64, active []bool) {
	yu, yuComp, yuAbs, yy, uu, uwu, boxAlpha := d.yu, d.yuComp, d.yuAbs, d.yy, d.uu, d.uwu, d.boxAlpha
	box := !d.interp && !math.IsInf(d.bound, 1)
	for k, u := range us {
		if active != nil && !active[k] {
			continue
		}
		y, w := ys[k], ws[k]
		yu, yuComp = twoSumAcc(yu, yuComp, y*u)
		yuAbs += math.Abs(y * u)
		yy += y * y
		uu += u * u
		if u != 0 && !d.interp {
			uwu += u * u / w
			if box {
				boxAlpha = math.Min(boxAlpha, w*d.bound/math.Abs(u))
			}
		}
	}
	d.yu, d.yuComp, d.yuAbs, d.yy, d.uu, d.uwu, d.boxAlpha = yu, yuComp, yuAbs, yy, uu, uwu, boxAlpha
}

// bound completes the certificate from the sums of the projected dual and
// c.Sup: the best feasible scaling α, the lower bound and the gaps.
func (c *Certificate) bound(p *problem.Problem, d dualSums) error {
	curv := p.Loss.DualCurvature()
	regAlpha := math.Inf(1)
	if c.Sup > 0 {
		lam := p.Lambda
		if d.interp {
			lam = 1
		}
		regAlpha = lam / c.Sup
	}
	maxAlpha := math.Min(d.boxAlpha, regAlpha)
	yu := d.yu + d.yuComp
	slack := yuSlack * (d.yuAbs + math.Sqrt(d.yy*d.uu))
	switch {
	case yu > slack:
		yu -= slack
	case yu < -slack:
		yu += slack
	default:
		yu = 0
	}
	switch {
	case math.IsInf(c.Sup, 1):
		c.Alpha = 0
	case curv > 0:
		// D(αu) = α yᵀu − α² curv·Σu²/(2ω): maximise over 0 ≤ α ≤ maxAlpha.
		a := 0.0
		if d.uwu > 0 {
			a = yu / (curv * d.uwu)
		}
		c.Alpha = math.Max(0, math.Min(a, maxAlpha))
		c.LowerBound = c.Alpha*yu - 0.5*c.Alpha*c.Alpha*curv*d.uwu
	default:
		// Linear dual: D(αu) = α yᵀu with |α| ≤ maxAlpha (the constraints
		// are symmetric, so −u is as feasible as u).
		if math.IsInf(maxAlpha, 1) {
			if yu != 0 {
				return fmt.Errorf("%w: η ≡ 0 with yᵀu ≠ 0 leaves the bound unscaled", ErrDual)
			}
			maxAlpha = 0
		}
		if yu == 0 {
			maxAlpha = 0 // avoid −0 and 0·Inf
		}
		c.Alpha = math.Copysign(maxAlpha, yu)
		c.LowerBound = c.Alpha * yu
	}
	c.GapAbs = c.Objective - c.LowerBound
	switch {
	case c.Objective == c.LowerBound:
		c.Gap = 0
	case c.Objective == 0:
		c.Gap = math.Inf(1)
	default:
		c.Gap = c.GapAbs / math.Abs(c.Objective)
	}
	return nil
}

// DataScale is the natural scale of a problem's objective, used to judge a
// zero optimum by its absolute gap (DESIGN §4): ½Σω(y − ȳ)² for the squared
// and Huber losses, Σω|y − ȳ| for l1 and the spread of y for Interp.
func DataScale(p *problem.Problem) float64 {
	// Four partial sums per quantity (lanes k mod 4), so that the additions
	// do not wait on each other; the scale only needs to be accurate to a
	// few roundings.
	unit := p.W == nil || problem.IsInterp(p.Loss)
	weight := func(i int) float64 {
		if unit {
			return 1
		}
		return p.W[i]
	}
	var sw, swy, ymax [4]float64
	for i, y := range p.Y {
		w := weight(i)
		sw[i&3] += w
		swy[i&3] += w * y
		ymax[i&3] = max(ymax[i&3], math.Abs(y))
	}
	tsw := (sw[0] + sw[1]) + (sw[2] + sw[3])
	mean := ((swy[0] + swy[1]) + (swy[2] + swy[3])) / tsw
	ym := max(ymax[0], ymax[1], ymax[2], ymax[3])
	var s [4]float64
	switch {
	case problem.IsInterp(p.Loss):
		for i, y := range p.Y {
			s[i&3] = max(s[i&3], math.Abs(y-mean))
		}
		s[0] = max(s[0], s[1], s[2], s[3])
		s[1], s[2], s[3] = 0, 0, 0
	case p.Loss.DualCurvature() > 0:
		for i, y := range p.Y {
			d := y - mean
			s[i&3] += 0.5 * weight(i) * d * d
		}
	default:
		for i, y := range p.Y {
			s[i&3] += weight(i) * math.Abs(y-mean)
		}
	}
	// Constant data have scale 0; rounding in J is then of order
	// eps·Σω·y², which is the floor of the natural scale.
	return math.Max((s[0]+s[1])+(s[2]+s[3]), 0x1p-52*tsw*math.Max(ym*ym, ym))
}

// Certified reports whether c proves optimality within the relative
// tolerance tol, or, for an optimum near zero, within tol·scale absolutely.
// Its allowances only grow with scale: what it accepts for one scale it
// accepts for every larger one (so a caller may try scale 0 first and
// compute DataScale only when that fails).
func (c *Certificate) Certified(tol, scale float64) bool {
	if math.IsNaN(c.Gap) || math.IsInf(c.Objective, 0) {
		return false
	}
	// A bound above the objective beyond rounding is a bug, never a proof.
	if c.GapAbs < -boundRounding*math.Max(math.Abs(c.Objective), scale) {
		return false
	}
	return c.Gap <= tol || c.GapAbs <= tol*scale
}
