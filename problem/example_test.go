package problem_test

import (
	"fmt"
	"strings"

	"github.com/ridgeline-nn/ridgeline/problem"
)

func ExampleReadCSV() {
	const file = `# distance travelled
t,x,w
0,0.0,1
1,0.9,1
2,4.1,0.5
`
	d, err := problem.ReadCSV(strings.NewReader(file), "run.csv", problem.CSVOptions{Weights: "w"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("inputs %v, target %q, weights %q\n", d.Names, d.Target, d.Weights)
	for n := range d.N() {
		fmt.Printf("line %d: x = %.4g, y = %.4g, ω = %.4g\n", d.Lines[n], d.X[n], d.Y[n], d.W[n])
	}

	p := d.Problem(problem.Squared{}, 0.1, 2, true)
	fmt.Println("valid:", p.Validate() == nil)

	// A bad cell is reported with its file, row and column.
	_, err = problem.ReadCSV(strings.NewReader("t,x\n0,1\n1,two\n"), "run.csv", problem.CSVOptions{})
	fmt.Println(err)

	// Output:
	// inputs [t], target "x", weights "w"
	// line 3: x = 0, y = 0, ω = 1
	// line 4: x = 1, y = 0.9, ω = 1
	// line 5: x = 2, y = 4.1, ω = 0.5
	// valid: true
	// run.csv: row 3, column 2 ("x"): not a number: "two"
}

func ExampleParseLoss() {
	for _, name := range []string{"squared", "l1", "huber", "interp", "hinge"} {
		l, err := problem.ParseLoss(name, 0.5)
		if err != nil {
			fmt.Println(err)
			continue
		}
		// ℓ(2) and the conjugate at s = ℓ'(2): where ℓ(r) is finite,
		// ℓ(r) + ℓ*(s) = s·r there (Fenchel–Young).
		r := 2.0
		s := l.Deriv(r)
		fmt.Printf("%-7s ℓ(2) = %.4g, ℓ'(2) = %.4g, ℓ*(ℓ'(2)) = %.4g\n", l.Name(), l.Value(r), s, l.Conjugate(s))
	}

	// Output:
	// squared ℓ(2) = 2, ℓ'(2) = 2, ℓ*(ℓ'(2)) = 2
	// l1      ℓ(2) = 2, ℓ'(2) = 1, ℓ*(ℓ'(2)) = 0
	// huber   ℓ(2) = 0.875, ℓ'(2) = 0.5, ℓ*(ℓ'(2)) = 0.125
	// interp  ℓ(2) = +Inf, ℓ'(2) = 0, ℓ*(ℓ'(2)) = 0
	// unknown loss "hinge" (want interp, squared, l1 or huber)
}

func ExampleProblem_GroupSorted() {
	// Four samples, two of them at x = 0.
	p := &problem.Problem{Dim: 1, X: []float64{2, 0, 1, 0}, Y: []float64{5, 1, 3, 2}, Loss: problem.Squared{}, Lambda: 1, Order: 1, Skip: true}
	// A caller that sorts the samples itself (a solver, or a certificate
	// that gathers the targets) hands the sorted arrays over.
	ord, xs := problem.SortedValues(p.X)
	ys := make([]float64, len(ord))
	for k, i := range ord {
		ys[k] = p.Y[i]
	}
	g, err := p.GroupSorted(ord, xs, ys, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("order:", g.Order)
	fmt.Println("inputs:", g.X, "starts:", g.Start)
	fmt.Println("Σω:", g.SumW, "means:", g.MeanY)

	// Output:
	// order: [1 3 2 0]
	// inputs: [0 1 2] starts: [0 2 3 4]
	// Σω: [2 1 1] means: [1.5 3 5]
}
