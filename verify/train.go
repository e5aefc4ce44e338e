package verify

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// Optimizers of TrainOptions.Optimizer.
const (
	Adam = "adam" // Adam (Kingma & Ba 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8
	SGD  = "sgd"  // (stochastic) gradient descent, with heavy-ball momentum if Momentum > 0
)

// Initialisations of TrainOptions.Init, in the standardised units of Train.
const (
	// InitKaiming draws w_k ~ N(0, 2/d) (He et al. 2015), places the kink
	// of each unit at a random point between two distinct random samples
	// (b_k = w_k·(u x_n + (1−u) x_r), u ~ U(0, 1)), so that the kinks start
	// spread over the data, and draws v_k ~ N(0, 1/K). The default.
	InitKaiming = "kaiming"
	// InitUniform is PyTorch's default for nn.Linear: w_k, b_k ~ U(±1/√d)
	// and v_k ~ U(±1/√K).
	InitUniform = "uniform"
)

// Defaults of TrainOptions.
const (
	DefaultEpochs = 2000 // when neither Epochs nor Budget is set
	DefaultAdamLR = 1e-2
	DefaultSGDLR  = 0.1
)

// Adam's constants (the defaults of Kingma & Ba and of PyTorch).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// maxTrace is the number of trace points kept: beyond it, every other point
// is dropped and the recording stride doubles, so long runs keep a trace
// of bounded size with even coverage.
const maxTrace = 4096

// ErrDiverged is returned by Train when the objective becomes NaN or
// infinite: the learning rate is too large.
var ErrDiverged = errors.New("verify: training diverged")

// TrainOptions configure Train. The zero value trains an Adam network of
// width N for DefaultEpochs full-batch epochs from seed 0.
type TrainOptions struct {
	// Width is the number K of hidden units; 0 means N, which is at least
	// the N − m that an optimal network needs.
	Width int
	// Optimizer is Adam (default) or SGD.
	Optimizer string
	// LR is the learning rate; 0 means DefaultAdamLR or DefaultSGDLR. It
	// applies to the objective divided by Σω in standardised units (the
	// mean loss of PyTorch's reduction="mean").
	LR float64
	// Momentum is SGD's heavy-ball momentum in [0, 1) (ignored by Adam).
	Momentum float64
	// Epochs is the number of passes over the data. 0 means DefaultEpochs,
	// or no limit when Budget is set.
	Epochs int
	// BatchSize is the minibatch size; 0 (or ≥ N) means full batch.
	BatchSize int
	// Seed makes the run reproducible: the same seed and options give the
	// same network (wall-time budgets aside).
	Seed uint64
	// Init is InitKaiming (default) or InitUniform.
	Init string
	// Budget stops training after this much wall time; 0 means no limit.
	Budget time.Duration
	// PenalizeBias adds ½Σ_k b_k² to R(θ) (the penalize_bias variant of
	// DESIGN §2, a different problem from the canonical one).
	PenalizeBias bool
	// Callback, if not nil, is called after every epoch with the objective
	// J(θ) in the problem's units (epoch 0 is the initialisation).
	Callback func(epoch int, elapsed time.Duration, objective float64)
}

// TracePoint is one entry of a training trace.
type TracePoint struct {
	Epoch     int     // epochs completed
	Seconds   float64 // wall time since the start of training
	Objective float64 // J(θ) in the problem's units
}

// TrainResult is the outcome of Train.
type TrainResult struct {
	// Network is the trained network in the problem's units.
	Network *representer.Network
	// Objective is J(θ) = Σω ℓ + λR(θ) of Network evaluated directly.
	Objective float64
	// Trace holds J(θ) against epochs and wall time: every epoch for short
	// runs, thinned evenly to at most maxTrace points for long ones, always
	// with the first and the last epoch.
	Trace []TracePoint
	// Epochs is the number of epochs run and Seconds their wall time.
	Epochs  int
	Seconds float64
	// Stop says why training stopped: "epochs" or "budget".
	Stop string
}

// Train trains the shallow network of DESIGN §2 on p by gradient descent on
// its training objective
//
//	J(θ) = Σ_n ω_n ℓ(f_θ(x_n) − y_n) + λR(θ),   R(θ) = ½Σ_k (v_k² + ‖w_k‖^{2(m−1)}),
//
// with f_θ(x) = Σ_k v_k ρ_m(w_k·x − b_k) + p(x): the skip connection p (a
// polynomial of degree < m, or only the output bias when p.Skip is false)
// and the biases are not penalised unless opt.PenalizeBias is set.
// Full-batch steps use the exact gradient; a minibatch B of a random
// permutation uses the unbiased estimate (N/|B|)Σ_{n∈B} of the data term.
// At ρ_m's kink the derivative is taken as 0 (ReLU'(0) = 0, as in PyTorch).
//
// # Standardisation
//
// The network is trained in standardised units, x' = (x − x̄)/s_x and
// y' = (y − ȳ)/s_y, with the objective divided by the constant F·Σω (F is
// the loss's scaling, ℓ(s_y r) = F·ℓ'(r): s_y² for the squared loss, s_y for
// l1, s_y² for Huber with δ' = δ/s_y). A standardised unit v'ρ_m(w'x' − b')
// is mapped back exactly by
//
//	w = γw'/s_x,   b = γ(b' + w'·x̄/s_x),   v = s_y v'/γ^{m−1},   γ = s_y^{1/(2(m−1))}·√s_x,
//
// which makes R(θ) = (s_y/s_x^{m−1})·R(θ'), so training in standardised
// units is training J itself in other coordinates, and every reported
// objective is in the problem's units. (For d ≥ 2 one scale s_x serves all
// inputs so that ‖w‖ maps by a single factor.)
//
// # Orders
//
// Orders 2, 3 and 4 are trained (ρ_m' = ρ_{m−1}; d ≥ 2 needs order 2).
// Order 1 is rejected with ErrUnsupported: the step ρ_1 has zero derivative
// almost everywhere, so no gradient ever moves a knot or an input weight,
// and its R(θ) = Σ|v_k| is not differentiable; training would only fit the
// output weights of random steps. The interpolation loss has no gradient
// either and is rejected.
//
// The inner loop does not allocate: buffers are sized once. Train returns
// an error wrapping ErrDiverged if the objective stops being finite.
func Train(p *problem.Problem, opt TrainOptions) (*TrainResult, error) {
	t, err := newTrainer(p, opt)
	if err != nil {
		return nil, err
	}
	return t.run(opt)
}

// trainer holds the standardised data, the parameters and every buffer of
// a training run.
type trainer struct {
	p          *problem.Problem
	m, d, k    int  // order, input dimension, width
	np         int  // number of polynomial (skip) coefficients
	skip       bool // polynomial of degree < m (else output bias only)
	n          int  // samples
	x          []float64
	y          []float64
	w          []float64 // ω_n/Σω
	phi        []float64 // N×np polynomial features of the standardised inputs
	loss       problem.Loss
	lam        float64 // λ in standardised units, per unit of F·Σω
	kappa      float64 // bias-penalty weight in standardised units (0 unless PenalizeBias)
	xbar       []float64
	sc         scaling
	optimizer  string
	lr, mom    float64
	batch      int
	rng        *rand.Rand
	theta      []float64 // parameters: W (K·d) | B (K) | V (K) | C (np)
	grad       []float64
	m1, m2     []float64 // Adam moments, or SGD velocity in m1
	iter       int
	act, dact  []float64 // ρ_m and ρ_m' of every unit for the current sample
	perm       []int
	all        []int // the identity, the full batch
	unitFactor float64
}

// scaling is the affine standardisation of the data (see Train).
type scaling struct {
	x0     []float64 // input means, length d
	xs     float64   // common input scale
	y0, ys float64   // target mean and scale
	gamma  float64   // the rebalancing factor of a unit
	f      float64   // loss scale F: ℓ(s_y r) = F·ℓ'(r)
	sumW   float64   // Σω
}

func newTrainer(p *problem.Problem, opt TrainOptions) (*trainer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	switch {
	case problem.IsInterp(p.Loss):
		return nil, fmt.Errorf("%w: training with the interpolation constraint (use a loss with a small λ)", ErrUnsupported)
	case p.Order == 1:
		return nil, fmt.Errorf("%w: training order 1: the step has zero derivative almost everywhere, so gradient descent cannot move its knots", ErrUnsupported)
	case p.Dim > 1 && p.Order != 2:
		return nil, fmt.Errorf("%w: training order %d with input dimension %d (only order 2 for d ≥ 2)", ErrUnsupported, p.Order, p.Dim)
	}
	n, d, m := p.N(), p.Dim, p.Order
	k := opt.Width
	switch {
	case k < 0:
		return nil, fmt.Errorf("verify: width %d, want ≥ 1 (0 for the default)", k)
	case k == 0:
		k = n
	}
	if opt.BatchSize < 0 {
		return nil, fmt.Errorf("verify: batch size %d, want ≥ 1 (0 for full batch)", opt.BatchSize)
	}
	if opt.Epochs < 0 || opt.Budget < 0 {
		return nil, fmt.Errorf("verify: negative epochs or budget")
	}
	if !(opt.Momentum >= 0 && opt.Momentum < 1) {
		return nil, fmt.Errorf("verify: momentum %v, want it in [0, 1)", opt.Momentum)
	}
	t := &trainer{p: p, m: m, d: d, k: k, n: n, skip: p.Skip}
	switch opt.Optimizer {
	case "", Adam:
		t.optimizer, t.lr = Adam, DefaultAdamLR
	case SGD:
		t.optimizer, t.lr = SGD, DefaultSGDLR
	default:
		return nil, fmt.Errorf("verify: unknown optimizer %q (want %s or %s)", opt.Optimizer, Adam, SGD)
	}
	if opt.LR != 0 {
		if !(opt.LR > 0) || math.IsInf(opt.LR, 0) {
			return nil, fmt.Errorf("verify: learning rate %v, want finite and > 0", opt.LR)
		}
		t.lr = opt.LR
	}
	t.mom = opt.Momentum
	t.batch = opt.BatchSize
	if t.batch == 0 || t.batch > n {
		t.batch = n
	}

	// 1. Standardise.
	sc := newScaling(p)
	loss, f := scaleLoss(p.Loss, sc.ys)
	if f == 0 {
		sc.ys = 1 // a loss of unknown homogeneity: centre y only
		loss, f = p.Loss, 1
	}
	sc.f = f
	sc.gamma = math.Pow(sc.ys, 1/float64(2*(m-1))) * math.Sqrt(sc.xs)
	t.sc, t.loss = sc, loss
	t.x = make([]float64, n*d)
	t.y = make([]float64, n)
	t.w = make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			t.x[i*d+j] = (p.X[i*d+j] - sc.x0[j]) / sc.xs
		}
		t.y[i] = (p.Y[i] - sc.y0) / sc.ys
		t.w[i] = p.Weight(i) / sc.sumW
	}
	// λR(θ) = λ·(s_y/s_x^{m−1})·R(θ'), divided by F·Σω.
	t.unitFactor = sc.f * sc.sumW
	t.lam = p.Lambda * sc.ys / math.Pow(sc.xs, float64(m-1)) / t.unitFactor
	t.xbar = make([]float64, d)
	for j := range t.xbar {
		t.xbar[j] = sc.x0[j] / sc.xs
	}
	if opt.PenalizeBias {
		t.kappa = p.Lambda * sc.gamma * sc.gamma / t.unitFactor
	}

	// 2. Polynomial features: 1, x', …, x'^{m−1} (d = 1) or 1, x'_1, …, x'_d.
	switch {
	case !t.skip:
		t.np = 1
	case d == 1:
		t.np = m
	default:
		t.np = d + 1
	}
	t.phi = make([]float64, n*t.np)
	for i := 0; i < n; i++ {
		row := t.phi[i*t.np : (i+1)*t.np]
		row[0] = 1
		for j := 1; j < t.np; j++ {
			if d == 1 {
				row[j] = row[j-1] * t.x[i]
			} else {
				row[j] = t.x[i*d+j-1]
			}
		}
	}

	// 3. Parameters and buffers.
	size := k*d + 2*k + t.np
	t.theta = make([]float64, size)
	t.grad = make([]float64, size)
	t.m1 = make([]float64, size)
	t.m2 = make([]float64, size)
	t.act = make([]float64, k)
	t.dact = make([]float64, k)
	t.perm = make([]int, n)
	t.all = make([]int, n)
	for i := range t.all {
		t.perm[i], t.all[i] = i, i
	}
	t.rng = rand.New(rand.NewPCG(opt.Seed, 0x5eed_71d9e11e))
	if err := t.init(opt.Init); err != nil {
		return nil, err
	}
	return t, nil
}

// newScaling returns the standardisation of p's data: means and standard
// deviations (1 where the data are constant), one common scale for the inputs.
func newScaling(p *problem.Problem) scaling {
	n, d := p.N(), p.Dim
	sc := scaling{x0: make([]float64, d)}
	var ss float64
	for j := 0; j < d; j++ {
		var s float64
		for i := 0; i < n; i++ {
			s += p.X[i*d+j]
		}
		sc.x0[j] = s / float64(n)
		for i := 0; i < n; i++ {
			r := p.X[i*d+j] - sc.x0[j]
			ss += r * r
		}
	}
	sc.xs = math.Sqrt(ss / float64(n*d))
	if !(sc.xs > 0) {
		sc.xs = 1
	}
	var sy, syy float64
	for _, y := range p.Y {
		sy += y
	}
	sc.y0 = sy / float64(n)
	for _, y := range p.Y {
		syy += (y - sc.y0) * (y - sc.y0)
	}
	sc.ys = math.Sqrt(syy / float64(n))
	if !(sc.ys > 0) {
		sc.ys = 1
	}
	for i := 0; i < n; i++ {
		sc.sumW += p.Weight(i)
	}
	return sc
}

// scaleLoss returns the loss ℓ' and the factor F with ℓ(s·r) = F·ℓ'(r), or
// F = 0 for a loss whose scaling is unknown.
func scaleLoss(l problem.Loss, s float64) (problem.Loss, float64) {
	switch l := l.(type) {
	case problem.Squared:
		return l, s * s
	case problem.L1:
		return l, s
	case problem.Huber:
		// ℓ_δ(s r) = s²·ℓ_{δ/s}(r).
		return problem.Huber{Delta: l.Delta / s}, s * s
	}
	return l, 0
}

// Views of the parameter vector.
func (t *trainer) wv(th []float64) []float64 { return th[:t.k*t.d] }
func (t *trainer) bv(th []float64) []float64 { return th[t.k*t.d : t.k*t.d+t.k] }
func (t *trainer) vv(th []float64) []float64 { return th[t.k*t.d+t.k : t.k*t.d+2*t.k] }
func (t *trainer) cv(th []float64) []float64 { return th[t.k*t.d+2*t.k:] }

// init draws the initial parameters.
func (t *trainer) init(kind string) error {
	w, b, v, c := t.wv(t.theta), t.bv(t.theta), t.vv(t.theta), t.cv(t.theta)
	d, k := t.d, t.k
	r := t.rng
	switch kind {
	case "", InitKaiming:
		sw, sv := math.Sqrt(2/float64(d)), math.Sqrt(1/float64(k))
		for i := 0; i < k; i++ {
			wi := w[i*d : (i+1)*d]
			for j := range wi {
				wi[j] = sw * r.NormFloat64()
			}
			// The hyperplane through a random point between two distinct
			// samples (not through a sample: ρ_m' jumps there).
			s, q, u := r.IntN(t.n), 0, r.Float64()
			if t.n > 1 {
				q = (s + 1 + r.IntN(t.n-1)) % t.n // another sample
			}
			for j := range wi {
				b[i] += wi[j] * (u*t.x[s*d+j] + (1-u)*t.x[q*d+j])
			}
			v[i] = sv * r.NormFloat64()
		}
	case InitUniform:
		aw, av := 1/math.Sqrt(float64(d)), 1/math.Sqrt(float64(k))
		for i := 0; i < k; i++ {
			for j := 0; j < d; j++ {
				w[i*d+j] = aw * (2*r.Float64() - 1)
			}
			b[i] = aw * (2*r.Float64() - 1)
			v[i] = av * (2*r.Float64() - 1)
		}
	default:
		return fmt.Errorf("verify: unknown initialisation %q (want %s or %s)", kind, InitKaiming, InitUniform)
	}
	for i := range c {
		c[i] = 0 // the targets are centred
	}
	return nil
}

// rho returns ρ_m(a) and ρ_m'(a) (0 at the kink) for m = 2, 3, 4.
func rho(m int, a float64) (float64, float64) {
	if a <= 0 {
		return 0, 0
	}
	switch m {
	case 2:
		return a, 1
	case 3:
		return 0.5 * a * a, a
	}
	a2 := a * a
	return a2 * a / 6, 0.5 * a2
}

// positive returns 1 if a > 0 and 0 otherwise (also for −0 and NaN with
// the sign bit set), from the bits of a, without a branch.
func positive(a float64) float64 {
	u := math.Float64bits(a)
	return float64(((u-1)>>63 | u>>63) ^ 1)
}

// forward returns f(x'_i) and stores ρ_m and ρ_m' of every unit in t.act, t.dact.
func (t *trainer) forward(th []float64, i int) float64 {
	w, b, v, c := t.wv(th), t.bv(th), t.vv(th), t.cv(th)
	f := floats.Dot(c, t.phi[i*t.np:(i+1)*t.np])
	m := t.m
	if t.d == 1 && m == 2 {
		// The ReLU, written without data-dependent branches: the signs of
		// w x − b are unpredictable, and a mispredicted branch costs more
		// than the arithmetic.
		xi := t.x[i]
		act, dact := t.act[:len(w)], t.dact[:len(w)]
		b = b[:len(w)]
		for j, wj := range w {
			a := wj*xi - b[j]
			da := positive(a)
			act[j], dact[j] = a*da, da
		}
		// A separate dot product keeps the loop above free of a serial sum.
		return f + floats.Dot(v, act)
	}
	if t.d == 1 {
		xi := t.x[i]
		for j, wj := range w {
			r, dr := rho(m, wj*xi-b[j])
			t.act[j], t.dact[j] = r, dr
			f += v[j] * r
		}
		return f
	}
	d := t.d
	xi := t.x[i*d : (i+1)*d]
	for j := 0; j < t.k; j++ {
		r, dr := rho(m, floats.Dot(w[j*d:(j+1)*d], xi)-b[j])
		t.act[j], t.dact[j] = r, dr
		f += v[j] * r
	}
	return f
}

// regularizer returns λR(θ') (+ the bias penalty) in standardised units
// and, if grad is not nil, adds its gradient to grad.
func (t *trainer) regularizer(th, grad []float64) float64 {
	w, b, v := t.wv(th), t.bv(th), t.vv(th)
	d, p := t.d, t.m-1
	var r, rb float64
	for j := 0; j < t.k; j++ {
		wj := w[j*d : (j+1)*d]
		var sq float64
		if d == 1 {
			sq = wj[0] * wj[0]
		} else {
			sq = floats.Dot(wj, wj)
		}
		// ½(v² + ‖w‖^{2p}); ∇_w = p‖w‖^{2(p−1)}·w.
		pw := 1.0 // ‖w‖^{2(p−1)}
		for q := 1; q < p; q++ {
			pw *= sq
		}
		r += 0.5 * (v[j]*v[j] + pw*sq)
		if t.kappa != 0 {
			// ½(b' + w'·x̄)², the bias b of the problem's units over γ.
			e := b[j] + floats.Dot(wj, t.xbar)
			rb += 0.5 * e * e
			if grad != nil {
				gw := t.wv(grad)[j*d : (j+1)*d]
				floats.AddScaled(gw, t.kappa*e, t.xbar)
				t.bv(grad)[j] += t.kappa * e
			}
		}
		if grad != nil {
			t.vv(grad)[j] += t.lam * v[j]
			floats.AddScaled(t.wv(grad)[j*d:(j+1)*d], t.lam*float64(p)*pw, wj)
		}
	}
	return t.lam*r + t.kappa*rb
}

// objective returns the full objective at th in standardised units, per
// unit of F·Σω.
func (t *trainer) objective(th []float64) float64 {
	var data float64
	for i := 0; i < t.n; i++ {
		if t.w[i] == 0 {
			continue
		}
		f := t.forward(th, i)
		data += t.w[i] * t.loss.Value(f-t.y[i])
	}
	return data + t.regularizer(th, nil)
}

// gradient stores in t.grad the gradient of the objective estimated on the
// samples idx (the full objective when idx holds every sample) and returns
// that estimate at the current parameters.
func (t *trainer) gradient(idx []int) float64 {
	th, g := t.theta, t.grad
	for i := range g {
		g[i] = 0
	}
	gw, gb, gv, gc := t.wv(g), t.bv(g), t.vv(g), t.cv(g)
	v := t.vv(th)
	scale := float64(t.n) / float64(len(idx))
	d := t.d
	var data float64
	for _, i := range idx {
		if t.w[i] == 0 {
			continue
		}
		f := t.forward(th, i)
		r := f - t.y[i]
		data += t.w[i] * t.loss.Value(r)
		e := scale * t.w[i] * t.loss.Deriv(r)
		if e == 0 {
			continue
		}
		floats.AddScaled(gc, e, t.phi[i*t.np:(i+1)*t.np])
		if d == 1 {
			xi := t.x[i]
			act, dact := t.act, t.dact[:len(t.act)]
			gv, gw, gb, v := gv[:len(act)], gw[:len(act)], gb[:len(act)], v[:len(act)]
			for j, a := range act {
				gv[j] += e * a
				s := e * v[j] * dact[j]
				gw[j] += s * xi
				gb[j] -= s
			}
			continue
		}
		xi := t.x[i*d : (i+1)*d]
		for j, a := range t.act {
			gv[j] += e * a
			if da := t.dact[j]; da != 0 {
				s := e * v[j] * da
				floats.AddScaled(gw[j*d:(j+1)*d], s, xi)
				gb[j] -= s
			}
		}
	}
	return scale*data + t.regularizer(th, g)
}

// step takes one optimizer step on the samples idx and returns the
// objective estimate at the parameters before the step.
func (t *trainer) step(idx []int) float64 {
	obj := t.gradient(idx)
	t.iter++
	th, g := t.theta, t.grad
	m1, m2 := t.m1[:len(g)], t.m2[:len(g)]
	th = th[:len(g)]
	if t.optimizer == SGD {
		if t.mom == 0 {
			floats.AddScaled(th, -t.lr, g)
		} else {
			for i, gi := range g {
				m1[i] = flush(t.mom*m1[i] + gi)
			}
			floats.AddScaled(th, -t.lr, m1)
		}
		if t.iter%flushEvery == 0 {
			for i, x := range th {
				th[i] = flush(x)
			}
		}
		return obj
	}
	c1 := 1 / (1 - math.Pow(adamBeta1, float64(t.iter)))
	c2 := 1 / (1 - math.Pow(adamBeta2, float64(t.iter)))
	for i, gi := range g {
		// The moments of a unit that receives no gradient decay
		// geometrically into the subnormal range, where arithmetic is
		// two orders of magnitude slower: flush them to zero.
		m1[i] = flush(adamBeta1*m1[i] + (1-adamBeta1)*gi)
		m2[i] = flush(adamBeta2*m2[i] + (1-adamBeta2)*gi*gi)
		th[i] = flush(th[i] - t.lr*m1[i]*c1/(math.Sqrt(m2[i]*c2)+adamEps))
	}
	return obj
}

// tiny is the magnitude below which flush sets a value to zero: far below
// anything that changes an objective, far above the subnormal range.
const tiny = 1e-200

// flushEvery is how often plain SGD flushes its parameters (weight decay
// shrinks a dead unit's weights geometrically).
const flushEvery = 1024

// flush returns x, or 0 if |x| < tiny.
func flush(x float64) float64 {
	if math.Abs(x) < tiny {
		return 0
	}
	return x
}

// epoch runs one pass over the data. For full batch it returns the exact
// objective at the parameters before the pass (the forward pass computes
// it anyway); for minibatches it returns NaN.
func (t *trainer) epoch() float64 {
	if t.batch >= t.n {
		return t.step(t.all)
	}
	// Fisher–Yates with the run's generator (rand.Shuffle's closure would
	// allocate).
	for i := t.n - 1; i > 0; i-- {
		j := t.rng.IntN(i + 1)
		t.perm[i], t.perm[j] = t.perm[j], t.perm[i]
	}
	for s := 0; s < t.n; s += t.batch {
		t.step(t.perm[s:min(s+t.batch, t.n)])
	}
	return math.NaN()
}

// run trains until the epoch limit or the budget.
func (t *trainer) run(opt TrainOptions) (*TrainResult, error) {
	epochs := opt.Epochs
	if epochs == 0 && opt.Budget == 0 {
		epochs = DefaultEpochs
	}
	res := &TrainResult{Trace: make([]TracePoint, 0, maxTrace+1), Stop: "epochs"}
	stride := 1
	record := func(e int, el time.Duration, obj float64) {
		if opt.Callback != nil {
			opt.Callback(e, el, obj)
		}
		if e%stride != 0 {
			return
		}
		if len(res.Trace) == maxTrace {
			// Keep the points on the doubled stride.
			stride *= 2
			kept := res.Trace[:0]
			for _, q := range res.Trace {
				if q.Epoch%stride == 0 {
					kept = append(kept, q)
				}
			}
			res.Trace = kept
			if e%stride != 0 {
				return
			}
		}
		res.Trace = append(res.Trace, TracePoint{Epoch: e, Seconds: el.Seconds(), Objective: obj})
	}
	full := t.batch >= t.n
	start := time.Now()
	var last time.Duration // wall time at the end of the last epoch
	if !full {
		record(0, 0, t.unitFactor*t.objective(t.theta))
	}
	e := 0
	for epochs == 0 || e < epochs {
		obj := t.epoch()
		if full {
			// The objective of the parameters after epoch e.
			o := t.unitFactor * obj
			if !isFinite(o) {
				return nil, fmt.Errorf("%w at epoch %d (objective %v); lower the learning rate", ErrDiverged, e, o)
			}
			record(e, last, o)
		}
		e++
		last = time.Since(start)
		if !full {
			o := t.unitFactor * t.objective(t.theta)
			if !isFinite(o) {
				return nil, fmt.Errorf("%w at epoch %d (objective %v); lower the learning rate", ErrDiverged, e, o)
			}
			record(e, last, o)
			last = time.Since(start)
		}
		if opt.Budget > 0 && last >= opt.Budget {
			res.Stop = "budget"
			break
		}
	}
	if full {
		o := t.unitFactor * t.objective(t.theta)
		if !isFinite(o) {
			return nil, fmt.Errorf("%w at epoch %d (objective %v); lower the learning rate", ErrDiverged, e, o)
		}
		record(e, last, o)
		if n := len(res.Trace); n == 0 || res.Trace[n-1].Epoch != e {
			res.Trace = append(res.Trace, TracePoint{Epoch: e, Seconds: last.Seconds(), Objective: o})
		}
	} else if n := len(res.Trace); res.Trace[n-1].Epoch != e {
		res.Trace = append(res.Trace, TracePoint{Epoch: e, Seconds: last.Seconds(), Objective: t.unitFactor * t.objective(t.theta)})
	}
	res.Epochs, res.Seconds = e, last.Seconds()
	res.Network = t.network()
	if err := res.Network.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDiverged, err)
	}
	f := make([]float64, t.n)
	evalNetwork(f, res.Network, t.p)
	loss, _ := lossValue(t.p, f)
	res.Objective = loss + t.p.Lambda*res.Network.WeightDecay()
	return res, nil
}

// network maps the standardised parameters back to a network in the
// problem's units (see Train).
func (t *trainer) network() *representer.Network {
	th := t.theta
	w, b, v, c := t.wv(th), t.bv(th), t.vv(th), t.cv(th)
	sc, d, m := t.sc, t.d, t.m
	g := sc.gamma
	gm := math.Pow(g, float64(m-1))
	net := &representer.Network{Order: m, InputDim: d, Neurons: make([]representer.Neuron, t.k), PenalizeBias: t.kappa != 0}
	for j := range net.Neurons {
		wj := w[j*d : (j+1)*d]
		u := representer.Neuron{W: make([]float64, d), V: sc.ys * v[j] / gm}
		for q, wq := range wj {
			u.W[q] = g * wq / sc.xs
		}
		u.B = g * (b[j] + floats.Dot(wj, t.xbar))
		net.Neurons[j] = u
	}
	if !t.skip {
		f := false
		net.Skip = &f
		if d == 1 {
			net.Polynomial = []float64{sc.y0 + sc.ys*c[0]}
		} else {
			net.Bias = sc.y0 + sc.ys*c[0]
		}
		return net
	}
	if d > 1 {
		// y0 + s_y(c'_0 + Σ_j c'_j (x_j − x0_j)/s_x).
		net.Linear = make([]float64, d)
		net.Bias = sc.y0 + sc.ys*c[0]
		for j := 0; j < d; j++ {
			net.Linear[j] = sc.ys * c[j+1] / sc.xs
			net.Bias -= net.Linear[j] * sc.x0[j]
		}
		return net
	}
	// y0 + s_y Σ_i c'_i ((x − x0)/s_x)^i in powers of x.
	poly := make([]float64, m)
	x0 := sc.x0[0]
	for i := 0; i < m; i++ {
		ci := sc.ys * c[i] / math.Pow(sc.xs, float64(i))
		binom := 1.0 // C(i, q)
		for q := 0; q <= i; q++ {
			poly[q] += ci * binom * math.Pow(-x0, float64(i-q))
			binom = binom * float64(i-q) / float64(q+1)
		}
	}
	poly[0] += sc.y0
	net.Polynomial = poly
	return net
}

// isFinite reports whether x is neither NaN nor infinite.
func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
