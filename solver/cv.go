package solver

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// CVResult is the outcome of K-fold cross-validation over a list of λ.
type CVResult struct {
	Lambdas []float64   // the λ values, as given
	Mean    []float64   // mean over the folds of the held-out loss at each λ
	StdErr  []float64   // standard error of that mean: sd over the folds / √folds
	Loss    [][]float64 // Loss[k][i]: held-out loss of fold k at Lambdas[i] (NaN: the fold has no weight)
	Best    int         // index of the smallest Mean (the largest λ among ties)
	OneSE   int         // index of the largest λ with Mean ≤ Mean[Best] + StdErr[Best]
	Folds   int         // number of folds
	Seed    uint64      // seed of the fold assignment
	// NotOptimal counts the fold solves whose certificate did not reach the
	// requested gap; their held-out losses are still used.
	NotOptimal int
}

// ErrFolds is wrapped by errors about the fold count.
var ErrFolds = errors.New("solver: invalid number of folds")

// cvStream is the second word of the PCG seed of the fold assignment, so
// that the folds of a seed do not coincide with other streams of that seed.
const cvStream = 0xc5f01d5

// CVFolds returns the fold (0 … folds−1) of each of n samples: the indices
// are shuffled by a PCG generator seeded with seed (math/rand/v2) and dealt
// round-robin, so the folds differ in size by at most one and depend on
// nothing but n, folds and seed. It panics unless 1 ≤ folds ≤ n.
func CVFolds(n, folds int, seed uint64) []int {
	if folds < 1 || folds > n {
		panic("solver: CVFolds needs 1 ≤ folds ≤ n")
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	r := rand.New(rand.NewPCG(seed, cvStream))
	r.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
	fold := make([]int, n)
	for k, i := range perm {
		fold[i] = k % folds
	}
	return fold
}

// CrossValidate estimates the prediction loss of the fit at each λ by
// K-fold cross-validation (folds = K ≥ 2, at most the number of samples):
// the samples are split by CVFolds(N, K, seed); for each fold the path is
// solved on the other samples (Path, warm-started in the given order) and
// scored on the fold by the weighted mean loss
//
//	Σ_{n∈fold} ω_n ℓ(f(x_n) − y_n) / Σ_{n∈fold} ω_n,
//
// where f, a spline, extends linearly beyond its training inputs (that is
// the model: a ReLU network is affine outside its knots). The folds are
// solved concurrently. Mean and StdErr average over the folds that carry
// weight; Best minimises Mean, OneSE applies the one-standard-error rule.
// The interpolation constraint has no λ to choose and is rejected.
func CrossValidate(p *problem.Problem, lambdas []float64, folds int, seed uint64, opt Options) (*CVResult, error) {
	if err := checkLambdaProblem(p); err != nil {
		return nil, err
	}
	n := p.N()
	if folds < 2 || folds > n {
		return nil, fmt.Errorf("%w: %d folds for %d samples (want 2 ≤ folds ≤ samples)", ErrFolds, folds, n)
	}
	if len(lambdas) == 0 {
		return nil, fmt.Errorf("%w: no λ values", problem.ErrBadLambda)
	}
	for i, l := range lambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("%w: path value %d is %v", problem.ErrBadLambda, i+1, l)
		}
	}
	fold := CVFolds(n, folds, seed)
	res := &CVResult{
		Lambdas: append([]float64(nil), lambdas...),
		Loss:    make([][]float64, folds),
		Folds:   folds,
		Seed:    seed,
	}
	short := make([]int, folds)
	errs := make([]error, folds)
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for k := 0; k < folds; k++ {
		wg.Add(1)
		slots <- struct{}{}
		go func(k int) {
			defer func() { <-slots; wg.Done() }()
			res.Loss[k], short[k], errs[k] = foldLoss(p, fold, k, lambdas, opt)
		}(k)
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("solver: cross-validation fold %d: %w", k+1, err)
		}
		res.NotOptimal += short[k]
	}
	if err := res.summarise(); err != nil {
		return nil, err
	}
	res.choose()
	return res, nil
}

// foldLoss solves the path on the samples outside fold k and returns the
// held-out loss at each λ (NaN if the fold has no weight) and the number of
// solves that were not certified optimal.
func foldLoss(p *problem.Problem, fold []int, k int, lambdas []float64, opt Options) ([]float64, int, error) {
	train := &problem.Problem{Dim: p.Dim, Loss: p.Loss, Lambda: lambdas[0], Order: p.Order, Skip: p.Skip}
	var testX, testY, testW []float64
	for i, f := range fold {
		if f == k {
			testX = append(testX, p.X[i])
			testY = append(testY, p.Y[i])
			testW = append(testW, p.Weight(i))
			continue
		}
		train.X = append(train.X, p.X[i])
		train.Y = append(train.Y, p.Y[i])
		if p.W != nil {
			train.W = append(train.W, p.W[i])
		}
	}
	sols, err := Path(train, lambdas, opt)
	if err != nil {
		return nil, 0, err
	}
	sw := 0.0
	for _, w := range testW {
		sw += w
	}
	loss := make([]float64, len(lambdas))
	f := make([]float64, len(testX))
	short := 0
	for i, sol := range sols {
		if sol.Status != Optimal {
			short++
		}
		if sw == 0 {
			loss[i] = math.NaN()
			continue
		}
		sol.Spline.EvalTo(f, testX)
		s := 0.0
		for j := range f {
			if testW[j] > 0 {
				s += testW[j] * p.Loss.Value(f[j]-testY[j])
			}
		}
		loss[i] = s / sw
	}
	return loss, short, nil
}

// summarise sets Mean and StdErr from Loss over the folds that carry weight.
func (r *CVResult) summarise() error {
	nl := len(r.Lambdas)
	r.Mean = make([]float64, nl)
	r.StdErr = make([]float64, nl)
	for i := 0; i < nl; i++ {
		var vals []float64
		for _, l := range r.Loss {
			if !math.IsNaN(l[i]) {
				vals = append(vals, l[i])
			}
		}
		if len(vals) < 2 {
			return fmt.Errorf("%w: fewer than 2 folds hold samples of positive weight", ErrFolds)
		}
		mean := 0.0
		for _, v := range vals {
			mean += v
		}
		mean /= float64(len(vals))
		ss := 0.0
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		r.Mean[i] = mean
		r.StdErr[i] = math.Sqrt(ss / float64(len(vals)-1) / float64(len(vals)))
	}
	return nil
}

// choose sets Best, the index of the smallest Mean (the largest λ among
// equal means), and OneSE, the index of the largest λ whose Mean is at most
// Mean[Best] + StdErr[Best] (Hastie, Tibshirani & Friedman, The Elements of
// Statistical Learning, §7.10): the simplest fit the data cannot tell from
// the best.
func (r *CVResult) choose() {
	r.Best = 0
	for i := range r.Mean {
		if r.Mean[i] < r.Mean[r.Best] || r.Mean[i] == r.Mean[r.Best] && r.Lambdas[i] > r.Lambdas[r.Best] {
			r.Best = i
		}
	}
	limit := r.Mean[r.Best] + r.StdErr[r.Best]
	r.OneSE = r.Best
	for i := range r.Mean {
		if r.Mean[i] <= limit && r.Lambdas[i] > r.Lambdas[r.OneSE] {
			r.OneSE = i
		}
	}
}
