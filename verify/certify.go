package verify

import (
	"errors"
	"fmt"
	"math"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/solver"
)

// ErrMismatch is wrapped by the errors of Certify for a network that does
// not belong to the problem's class: another order, input dimension or
// skip connection.
var ErrMismatch = errors.New("verify: network does not match the problem")

// ErrUnsupported is wrapped by errors for networks or problems that the
// package does not handle, such as non-default activations in Certify or
// order-1 training in Train.
var ErrUnsupported = errors.New("verify: unsupported")

// CertifyOptions tune Certify; the zero value certifies from the network's
// residuals alone.
type CertifyOptions struct {
	// Solve also computes the certified optimum J* with solver.Solve.
	Solve bool
	// Solver are the options of that solve.
	Solver solver.Options
}

// Report is the certificate of a network for a problem (DESIGN §4, §6).
// Every value is in the problem's canonical scaling (DESIGN §2).
type Report struct {
	// Objective is the network's training objective
	// J(θ) = Σ_n ω_n ℓ(f_θ(x_n) − y_n) + λR(θ) (Interp: R(θ) if the network
	// interpolates the data, +Inf otherwise).
	Objective float64
	// LossValue is Σ_n ω_n ℓ(f_θ(x_n) − y_n) (0 for Interp).
	LossValue float64
	// MaxResidual is max_n |f_θ(x_n) − y_n|.
	MaxResidual float64
	// WeightDecay is R(θ) = ½Σ(v_k² + ‖w_k‖^{2(m−1)}) (plus ½Σb_k² for a
	// network with penalize_bias), representer.Network.WeightDecay.
	WeightDecay float64
	// PathNorm is P(θ) = Σ|v_k|‖w_k‖^{m−1} ≤ R(θ).
	PathNorm float64
	// FunctionNorm is ‖D^m f_θ‖_M ≤ P(θ), the TV of the spline that the
	// network computes after merging shared knots and folding backward and
	// dead neurons into the polynomial (representer.Network.Spline); NaN
	// for input dimension ≥ 2.
	FunctionNorm float64
	// FunctionObjective is LossValue + λ·FunctionNorm ≤ Objective: what the
	// network's function would cost with its weights rebalanced and its
	// shared knots merged.
	FunctionObjective float64
	// LowerBound is the certified lower bound L on the optimum, from the
	// dual vector built from the network's residuals,
	// u_n = −ω_n ℓ'(f_θ(x_n) − y_n) (for l1, ω_n·sign(y_n − f_θ(x_n))),
	// projected, sup-normed and scaled by package certificate. It is valid
	// whatever the network. With Solve it is the larger of that bound and
	// the bound certified by the solver. NaN for input dimension ≥ 2.
	LowerBound float64
	// BoundFrom says where LowerBound comes from: "residuals" or "solver".
	BoundFrom string
	// Gap is (J(θ) − L)/|J(θ)|, 0 when both are 0: J(θ) is within this
	// fraction of the optimum. GapAbs is J(θ) − L.
	Gap, GapAbs float64

	// Optimum is the certified optimum (nil without Solve).
	Optimum *solver.Solution
	// GapToOptimum is (J(θ) − J*)/|J*| (NaN without Solve).
	GapToOptimum float64

	// Verdict is a one-line human summary, for example "within 0.3% of the
	// certified optimum" or "not certified: gap 12% to the lower bound".
	Verdict string
}

// certifiedTol is the relative gap below which Certify calls a network
// optimal: what the solver certifies by default, widened by the rounding of
// evaluating a network instead of a spline.
const certifiedTol = 1e-6

// interpTol is the largest relative residual max|f(x_n) − y_n| / max(1, max|y_n|)
// that still counts as interpolating (the same rule as package certificate).
const interpTol = 1e-9

// Certify evaluates the network net on the problem p (DESIGN §4, §6): its
// training objective J(θ) = Σω ℓ + λR(θ), path norm and function norm, a
// lower bound on the optimum certified from the dual vector built from its
// own residuals, the relative gap (J(θ) − L)/|J(θ)| and, with opts.Solve,
// the certified optimum J* and the gap (J(θ) − J*)/|J*|.
//
// The lower bound is that of the canonical problem of DESIGN §2, so it is
// valid for any network of the problem's class. For a network with
// penalize_bias, J(θ) includes ½λΣb² and the gap is measured against the
// optimum without the bias penalty. Without the skip connection the bound is
// that of the problem with skip, which is lower still.
//
// The network must have the problem's order, input dimension and skip
// connection (an error wrapping ErrMismatch otherwise) and the default
// activation ρ_m (ErrUnsupported: for leaky or abs units R(θ) does not
// bound the function norm). Lower bounds and function norms need input
// dimension 1; for d ≥ 2 they are NaN and the report has J(θ), R(θ) and
// P(θ) only. Errors of solver.Solve (for example solver.ErrUnsupported) are
// returned wrapped.
func Certify(net *representer.Network, p *problem.Problem, opts CertifyOptions) (*Report, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if err := checkMatch(net, p); err != nil {
		return nil, err
	}
	if a := net.Activation; a != "" && a != "relu" {
		return nil, fmt.Errorf("%w: activation %q (certificates are for the unit ρ_m of DESIGN §2)", ErrUnsupported, a)
	}

	// 1. J(θ) from the network itself.
	n := p.N()
	f := make([]float64, n)
	evalNetwork(f, net, p)
	rep := &Report{
		WeightDecay:  net.WeightDecay(),
		PathNorm:     net.PathNorm(),
		FunctionNorm: math.NaN(),
		LowerBound:   math.NaN(),
		GapToOptimum: math.NaN(),
	}
	rep.LossValue, rep.MaxResidual = lossValue(p, f)
	rep.Objective = combine(p, rep.LossValue, rep.MaxResidual, rep.WeightDecay)

	// 2. The function norm and the bound from the residuals (1-D).
	if p.Dim == 1 {
		s, err := net.Spline()
		if err != nil {
			return nil, err
		}
		rep.FunctionNorm = s.TV()
		rep.FunctionObjective = combine(p, rep.LossValue, rep.MaxResidual, rep.FunctionNorm)
		u := make([]float64, n)
		for i := range u {
			u[i] = -p.Weight(i) * p.Loss.Deriv(f[i]-p.Y[i])
		}
		c, err := certificate.Evaluate(p, s, u)
		if err != nil {
			return nil, fmt.Errorf("verify: certificate from the residuals: %w", err)
		}
		rep.LowerBound, rep.BoundFrom = c.LowerBound, "residuals"
	} else {
		rep.FunctionObjective = math.NaN()
	}

	// 3. The optimum.
	if opts.Solve {
		sol, err := solver.Solve(p, opts.Solver)
		if err != nil {
			return nil, fmt.Errorf("verify: solving the convex problem: %w", err)
		}
		rep.Optimum = sol
		if lb := sol.Certificate.LowerBound; !(lb <= rep.LowerBound) {
			// Both bounds are certified; keep the better one (NaN for d ≥ 2).
			rep.LowerBound, rep.BoundFrom = lb, "solver"
		}
		rep.GapToOptimum = relGap(rep.Objective, sol.Certificate.Objective)
	}
	rep.GapAbs = rep.Objective - rep.LowerBound
	switch {
	case rep.Objective == rep.LowerBound:
		rep.Gap = 0
	case rep.Objective == 0:
		rep.Gap = math.Inf(1)
	default:
		rep.Gap = rep.GapAbs / math.Abs(rep.Objective)
	}
	rep.Verdict = rep.verdict(p)
	return rep, nil
}

// relGap returns (j − ref)/|ref|, 0 when j = ref, ±Inf for ref = 0 and NaN
// when either is NaN.
func relGap(j, ref float64) float64 {
	switch {
	case j == ref:
		return 0
	case ref == 0:
		return math.Copysign(math.Inf(1), j-ref)
	}
	return (j - ref) / math.Abs(ref)
}

// checkMatch returns an error wrapping ErrMismatch unless net has p's
// order, input dimension and skip connection.
func checkMatch(net *representer.Network, p *problem.Problem) error {
	if net.Order != p.Order {
		return fmt.Errorf("%w: the network has order %d, the problem order %d", ErrMismatch, net.Order, p.Order)
	}
	if net.InputDim != p.Dim {
		return fmt.Errorf("%w: the network has input_dim %d, the data %d input column(s)", ErrMismatch, net.InputDim, p.Dim)
	}
	skip := net.Skip == nil || *net.Skip
	if skip != p.Skip {
		if skip {
			return fmt.Errorf("%w: the network has a skip connection, the problem none", ErrMismatch)
		}
		return fmt.Errorf("%w: the network has no skip connection (\"skip\": false), the problem has one", ErrMismatch)
	}
	return nil
}

// evalNetwork stores f_θ(x_n) in f.
func evalNetwork(f []float64, net *representer.Network, p *problem.Problem) {
	if p.Dim == 1 {
		net.EvalTo(f, p.X)
		return
	}
	for i := range f {
		f[i] = net.Eval(p.X[i*p.Dim : (i+1)*p.Dim])
	}
}

// lossValue returns Σ_n ω_n ℓ(f_n − y_n) (0 for Interp) and max_n |f_n − y_n|.
func lossValue(p *problem.Problem, f []float64) (loss, maxRes float64) {
	interp := problem.IsInterp(p.Loss)
	for i, fi := range f {
		r := fi - p.Y[i]
		maxRes = math.Max(maxRes, math.Abs(r))
		if !interp && p.Weight(i) != 0 {
			loss += p.Weight(i) * p.Loss.Value(r)
		}
	}
	return loss, maxRes
}

// combine returns loss + λ·reg, or for Interp reg when the residuals vanish
// (to interpTol) and +Inf otherwise.
func combine(p *problem.Problem, loss, maxRes, reg float64) float64 {
	if !problem.IsInterp(p.Loss) {
		return loss + p.Lambda*reg
	}
	ymax := 1.0
	for _, y := range p.Y {
		ymax = math.Max(ymax, math.Abs(y))
	}
	if maxRes > interpTol*ymax {
		return math.Inf(1)
	}
	return reg
}

// verdict writes the one-line summary of r.
func (r *Report) verdict(p *problem.Problem) string {
	if math.IsInf(r.Objective, 1) && problem.IsInterp(p.Loss) {
		return fmt.Sprintf("not certified: the network does not interpolate the data (max |f − y| = %.3g)", r.MaxResidual)
	}
	if r.Optimum != nil {
		g := r.GapToOptimum
		switch {
		case math.IsNaN(g):
			return "not certified: the optimum is not finite"
		case math.Abs(g) <= certifiedTol || r.Gap <= certifiedTol:
			return fmt.Sprintf("optimal: J(θ) equals the certified optimum to %s", percent(math.Max(g, 0)))
		case r.Optimum.Status != solver.Optimal:
			return fmt.Sprintf("%s above the best solution found (solver status %s, its certified gap %.2g)",
				percent(g), r.Optimum.Status, r.Optimum.Certificate.Gap)
		case g <= verdictNear:
			return fmt.Sprintf("within %s of the certified optimum", percent(g))
		}
		return fmt.Sprintf("not optimal: J(θ) is %s above the certified optimum", percent(g))
	}
	switch {
	case math.IsNaN(r.Gap):
		return "not certified: no lower bound for this problem (input dimension ≥ 2); run with the solver when it supports it"
	case r.Gap <= certifiedTol:
		return fmt.Sprintf("certified optimal: within %s of the lower bound", percent(r.Gap))
	case r.Gap <= verdictNear:
		return fmt.Sprintf("within %s of the certified optimum", percent(r.Gap))
	}
	return fmt.Sprintf("not certified: gap %s to the lower bound (use the solver for the exact optimum)", percent(r.Gap))
}

// verdictNear is the relative gap up to which a verdict calls a network
// "within x% of the certified optimum" rather than "not certified" or
// "not optimal".
const verdictNear = 0.05

// percent writes a relative gap as a percentage with two significant
// digits, or as a plain number below 1e-4.
func percent(g float64) string {
	switch {
	case math.IsInf(g, 1):
		return "∞"
	case g == 0:
		return "0%"
	case g < 1e-4:
		return fmt.Sprintf("%.2g", g)
	case g >= 1:
		return fmt.Sprintf("%.0f%%", 100*g)
	}
	return fmt.Sprintf("%.2g%%", 100*g)
}
