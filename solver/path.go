package solver

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/ridgeline-nn/ridgeline/certificate"
	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
)

// LogSpaced returns k values from max down to max·ratio, equally spaced in
// log λ (the first is max, the last max·ratio); ratio 0 means
// DefaultPathRatio. It panics if k < 1 or ratio is negative or not finite.
func LogSpaced(max float64, k int, ratio float64) []float64 {
	if k < 1 {
		panic("solver: LogSpaced needs k ≥ 1")
	}
	if ratio == 0 {
		ratio = DefaultPathRatio
	}
	if !(ratio > 0) || math.IsInf(ratio, 0) {
		panic("solver: LogSpaced ratio must be finite and > 0")
	}
	out := make([]float64, k)
	out[0] = max
	for i := 1; i < k; i++ {
		out[i] = max * math.Pow(ratio, float64(i)/float64(k-1))
	}
	if k > 1 {
		out[k-1] = max * ratio
	}
	return out
}

// Path solves p at every λ of lambdas, in the given order (pass them
// decreasing: each solution warm-starts the next), and returns one
// certified Solution per λ, exactly as Solve would (p.Lambda is ignored).
//
// For the squared loss of order 2 on the banded backend, each λ starts
// from the previous λ's solution: its knots and signs seed the active set
// (runDescent, a monotone variant of run), whose least-squares systems are
// updated rather than rebuilt, so each further λ costs a few sweeps over
// the data plus its certificate; the problem is validated, sorted and
// standardised once, and each certificate is computed on another goroutine
// while the next λ is solved. Should a warm start not settle, that λ is
// solved cold. Other losses, orders and backends are solved from scratch
// at every λ (Solve): their interior-point backend gains little from a
// warm start. A Solution's Seconds is the time of its own solve and
// certificate; Iterations counts the warm start's sweeps over the data (or
// the backend's iterations).
func Path(p *problem.Problem, lambdas []float64, opt Options) ([]*Solution, error) {
	if err := checkLambdaProblem(p); err != nil {
		return nil, err
	}
	for i, l := range lambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("%w: path value %d is %v", problem.ErrBadLambda, i+1, l)
		}
	}
	sols := make([]*Solution, len(lambdas))
	_, squared := p.Loss.(problem.Squared)
	backend := opt.Backend
	if backend == "" {
		backend = Banded
	}
	if !squared || p.Order != 2 || backend != Banded {
		for i, l := range lambdas {
			q := *p
			q.Lambda = l
			sol, err := Solve(&q, opt)
			if err != nil {
				return nil, err
			}
			sols[i] = sol
		}
		return sols, nil
	}
	g, err := p.Group1D()
	if err != nil {
		return nil, err
	}
	if err := checkNumerics(g); err != nil {
		return nil, err
	}
	ws := &warmSolver{g: g, sc: newScaling(p, g), opt: opt}
	ev, err := certificate.NewEvaluator(p, g.Order)
	if err != nil {
		return nil, err
	}
	// Each λ is certified on another goroutine while the next is solved:
	// the certificate costs more than a warm solve (at N = 10^5 about
	// 1.5–2 ms on two cores, go test ./certificate -bench EvaluateLinear,
	// against 0.8 ms, BenchmarkPathChain1e5 over its 50 values), so up to
	// GOMAXPROCS certificates run at once.
	var (
		wg      sync.WaitGroup
		certErr = make([]error, len(lambdas))
		slots   = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	scale := certificate.DataScale(p)
	for i, l := range lambdas {
		start := time.Now()
		q := *p
		q.Lambda = l
		c, err := ws.solve(&q)
		if err != nil {
			wg.Wait()
			return nil, err
		}
		c.order, c.eval = g.Order, ev
		solveSec := time.Since(start).Seconds()
		slots <- struct{}{}
		wg.Add(1)
		go func(i int, q *problem.Problem, c *candidate) {
			defer func() { <-slots; wg.Done() }()
			start := time.Now()
			sols[i], certErr[i] = finish(q, c, Banded, opt, start, scale)
			if sols[i] != nil {
				sols[i].Seconds += solveSec
			}
		}(i, &q, c)
	}
	wg.Wait()
	for _, err := range certErr {
		if err != nil {
			return nil, err
		}
	}
	return sols, nil
}

// warmSolver solves a squared-loss problem of order 2 at a sequence of λ,
// the first cold, each further one from the solution at the previous one: it
// keeps the active set, whose signs and coefficients are then exactly the
// previous solution.
type warmSolver struct {
	g   *problem.Groups
	sc  scaling
	opt Options
	as  *activeSet // nil: start from prev
	f0  []float64  // the previous solution at the nodes of as
	// prev is the previous solution when as is nil (after a cold fallback).
	prev *representer.Spline
}

// solve returns the candidate for p, whose λ is the next one. The
// candidate's spline must not be changed by its certificate (the active set
// never proposes another function).
func (ws *warmSolver) solve(p *problem.Problem) (*candidate, error) {
	if ws.as == nil && ws.prev == nil {
		// The first λ: the cold solve (multilevel from scratch).
		c, err := solveBanded(p, ws.g, ws.opt)
		if err != nil {
			return nil, err
		}
		ws.prev = c.spline
		return c, nil
	}
	if ws.as == nil {
		c, as, err := solveWarm(p, ws.g, ws.sc, ws.prev, ws.opt)
		if err != nil {
			return nil, err
		}
		ws.as, ws.prev = as, c.spline
		if as != nil {
			ws.f0 = append(ws.f0[:0], as.c...)
		}
		return c, nil
	}
	ws.as.lam = ws.sc.lambda(p)
	if ws.as.runDescent(ws.f0, maxDescentSweeps) {
		ws.f0 = append(ws.f0[:0], ws.as.c...)
		return ws.as.candidate(ws.g, ws.sc, Optimal, 0), nil
	}
	rounds := ws.as.rounds
	ws.as = nil
	c, err := solveBanded(p, ws.g, ws.opt)
	if err != nil {
		return nil, err
	}
	c.iterations += rounds
	ws.prev = c.spline
	return c, nil
}

// solveWarm solves a squared-loss problem of order 2 by the active-set
// method with line search (runDescent) started from the function prev, a
// solution at another λ (nil: from the least-squares line), falling back to
// the cold banded solve if the rounds do not settle.
//
// It also returns the active set at its fixed point (nil after the
// fallback), from which the next λ of a path can start.
func solveWarm(p *problem.Problem, g *problem.Groups, sc scaling, prev *representer.Spline, opt Options) (*candidate, *activeSet, error) {
	as := newActiveSetFor(p, g, sc)
	var f0 []float64
	if prev != nil {
		knots, amps := groupKnots(g, prev)
		as.warm(knots, amps)
		nodes := make([]float64, 0, len(knots)+2)
		nodes = append(nodes, g.X[0])
		nodes = append(nodes, pick(g.X, knots)...)
		nodes = append(nodes, g.X[g.G()-1])
		f0 = make([]float64, len(nodes))
		prev.EvalTo(f0, nodes)
		for k := range f0 {
			f0[k] = sc.y(f0[k])
		}
	}
	if as.runDescent(f0, maxDescentSweeps) {
		return as.candidate(g, sc, Optimal, 0), as, nil
	}
	rounds := as.rounds
	c, err := solveBanded(p, g, opt)
	if err != nil {
		return nil, nil, err
	}
	c.iterations += rounds
	return c, nil, nil
}

// groupKnots maps the knots of s to the interior inputs of g they sit on,
// with their amplitudes, by binary search; knots that are not interior
// inputs are dropped (the active set places knots at inputs only).
func groupKnots(g *problem.Groups, s *representer.Spline) (knots []int, amps []float64) {
	for k, t := range s.Knots {
		j := sort.SearchFloat64s(g.X, t)
		if j > 0 && j+1 < g.G() && g.X[j] == t && s.Amps[k] != 0 {
			knots = append(knots, j)
			amps = append(amps, s.Amps[k])
		}
	}
	return knots, amps
}

// finish certifies a candidate and turns it into a Solution (Solve and Path):
// the certificate, not the backend's stopping rule, decides optimality.
//
// scale is certificate.DataScale(p) (which does not depend on λ), or
// negative to compute it if needed: Certified with scale 0 is the stricter
// test (both of its allowances grow with the scale), so a certificate that
// passes it needs no scale.
func finish(p *problem.Problem, c *candidate, backend string, opt Options, start time.Time, scale float64) (*Solution, error) {
	cert, err := c.certify(p)
	if err != nil {
		return nil, err
	}
	certified := cert.Certified(opt.tol(), 0)
	if !certified {
		if scale < 0 {
			scale = certificate.DataScale(p)
		}
		certified = cert.Certified(opt.tol(), scale)
	}
	sol := &Solution{
		Status:      c.status,
		Spline:      c.spline,
		Certificate: cert,
		Iterations:  c.iterations,
		Backend:     backend,
	}
	switch {
	case certified:
		sol.Status = Optimal
	case sol.Status == Optimal:
		sol.Status = GapLimit
	}
	sol.Seconds = time.Since(start).Seconds()
	return sol, nil
}
