package verify_test

import (
	"fmt"
	"log"
	"math"

	"github.com/ridgeline-nn/ridgeline/problem"
	"github.com/ridgeline-nn/ridgeline/representer"
	"github.com/ridgeline-nn/ridgeline/verify"
)

// sine returns a small problem: 20 samples of a sine on [0, 2π].
func sine() *problem.Problem {
	p := &problem.Problem{Dim: 1, Loss: problem.Squared{}, Lambda: 0.1, Order: 2, Skip: true}
	for i := 0; i < 20; i++ {
		x := 2 * math.Pi * float64(i) / 19
		p.X = append(p.X, x)
		p.Y = append(p.Y, math.Sin(x))
	}
	return p
}

// Certify a hand-written network: two neurons share the knot x = 1, one
// points backwards, one is dead, and the weights are not balanced, so the
// function norm is below the path norm, which is below the weight decay.
func ExampleCertify() {
	net := &representer.Network{
		Order: 2, InputDim: 1,
		Neurons: []representer.Neuron{
			{W: []float64{2}, B: 2, V: 1.5},
			{W: []float64{1}, B: 1, V: -1},
			{W: []float64{-1}, B: -2, V: 0.5},
			{W: []float64{0}, B: -1, V: 2},
		},
		Polynomial: []float64{-1, 0.5},
	}
	p := &problem.Problem{Dim: 1, X: []float64{0, 1, 2, 3}, Y: []float64{0, 1, 0, 2},
		Loss: problem.Squared{}, Lambda: 0.5, Order: 2, Skip: true}
	rep, err := verify.Certify(net, p, verify.CertifyOptions{Solve: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("J(θ) = %.4g = loss %.4g + λ·R(θ) with R(θ) = %.4g\n", rep.Objective, rep.LossValue, rep.WeightDecay)
	fmt.Printf("path norm %.4g, function norm %.4g\n", rep.PathNorm, rep.FunctionNorm)
	fmt.Printf("J* = %.4g, lower bound ≤ J*: %v\n", rep.Optimum.Certificate.Objective,
		rep.LowerBound <= rep.Optimum.Certificate.Objective*(1+1e-9))
	fmt.Printf("gap to the optimum %.3g\n", rep.GapToOptimum)
	// Output:
	// J(θ) = 24 = loss 20.62 + λ·R(θ) with R(θ) = 6.75
	// path norm 4.5, function norm 2.5
	// J* = 0.75, lower bound ≤ J*: true
	// gap to the optimum 31
}

// Train a network of width 20 with Adam and certify it: its objective is
// above the lower bound certified from its own residuals.
func ExampleTrain() {
	p := sine()
	res, err := verify.Train(p, verify.TrainOptions{Width: 20, Epochs: 3000, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	rep, err := verify.Certify(res.Network, p, verify.CertifyOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("epochs:", res.Epochs)
	fmt.Println("objective decreased:", res.Objective < res.Trace[0].Objective)
	fmt.Println("J(θ) ≥ certified lower bound:", rep.Objective >= rep.LowerBound)
	fmt.Println("within 5% of the optimum:", rep.Gap < 0.05)
	// Output:
	// epochs: 3000
	// objective decreased: true
	// J(θ) ≥ certified lower bound: true
	// within 5% of the optimum: true
}

// Compare two Adam runs with the certified optimum.
func ExampleCompare() {
	p := sine()
	cmp, err := verify.Compare(p, verify.CompareOptions{
		Train: verify.TrainOptions{Width: 20, Epochs: 3000, Seed: 1},
		Seeds: 2,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("optimum J* = %.3g with %d kinks\n", cmp.Optimum.Certificate.Objective, cmp.OptimumKinks)
	for _, r := range cmp.Runs {
		fmt.Printf("seed %d: above the optimum: %v, within 5%%: %v, sup distance < 0.2: %v\n",
			r.Seed, r.GapToOptimum > 0, r.GapToOptimum < 0.05, r.SupDistance < 0.2)
	}
	// Output:
	// optimum J* = 0.327 with 10 kinks
	// seed 1: above the optimum: true, within 5%: true, sup distance < 0.2: true
	// seed 2: above the optimum: true, within 5%: true, sup distance < 0.2: true
}
