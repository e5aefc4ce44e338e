package representer_test

import (
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/ridgeline-nn/ridgeline/representer"
)

func ExampleBalanced() {
	// f(x) = 0.5 + x + 4ReLU(x + 1) − ReLU(x − 0.5) + 0.25ReLU(x − 2).
	s := &representer.Spline{
		Order: 2,
		Knots: []float64{-1, 0.5, 2},
		Amps:  []float64{4, -1, 0.25},
		Poly:  []float64{0.5, 1},
	}
	n := representer.Balanced(s)
	for _, u := range n.Neurons {
		fmt.Printf("w=%.4g b=%.4g v=%.4g\n", u.W[0], u.B, u.V)
	}
	fmt.Printf("‖D²f‖ = %.4g, R(θ) = %.4g, path norm = %.4g\n", s.TV(), n.WeightDecay(), n.PathNorm())
	fmt.Printf("f(1) = %.4g = %.4g\n", s.Eval(1), n.Eval1D(1))

	// Output:
	// w=2 b=-2 v=2
	// w=1 b=0.5 v=-1
	// w=0.5 b=1 v=0.5
	// ‖D²f‖ = 5.25, R(θ) = 5.25, path norm = 5.25
	// f(1) = 9 = 9
}

func ExampleNetwork_Spline() {
	// Three ReLU neurons with the same knot x = 1, one of them backward:
	// 3ReLU(2x − 2) + ReLU(1 − x) − 0.5ReLU(4x − 4) + 0.5 − x.
	n := &representer.Network{
		Order:    2,
		InputDim: 1,
		Neurons: []representer.Neuron{
			{W: []float64{2}, B: 2, V: 3},
			{W: []float64{-1}, B: -1, V: 1},
			{W: []float64{4}, B: 4, V: -0.5},
		},
		Polynomial: []float64{0.5, -1},
	}
	s, err := n.Spline()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("knots %.4g, amplitudes %.4g, polynomial %.4g\n", s.Knots, s.Amps, s.Poly)
	fmt.Printf("‖D²f‖ = %.4g ≤ path norm %.4g ≤ R(θ) %.4g\n", s.TV(), n.PathNorm(), n.WeightDecay())

	// The balanced network of the same function has the least weight decay.
	b := representer.Balanced(s)
	fmt.Printf("balanced: %d neuron, R(θ) = %.4g\n", len(b.Neurons), b.WeightDecay())

	// Output:
	// knots [1], amplitudes [5], polynomial [1.5 -2]
	// ‖D²f‖ = 5 ≤ path norm 9 ≤ R(θ) 15.62
	// balanced: 1 neuron, R(θ) = 5
}

func ExampleReadNetwork() {
	const in = `{"order": 2, "input_dim": 1,
	  "neurons": [{"w": [1], "b": 0, "v": 1}, {"w": [1, 0], "b": 1, "v": 2}],
	  "polynomial": [0, 0]}`
	_, err := representer.ReadNetwork(strings.NewReader(in))
	fmt.Println(err)

	n, err := representer.ReadNetwork(strings.NewReader(`{"order": 1, "input_dim": 1,
	  "neurons": [{"w": [1], "b": 0.5, "v": 2}], "polynomial": [-1]}`))
	if err != nil {
		log.Fatal(err)
	}
	if err := n.WriteJSON(os.Stdout); err != nil {
		log.Fatal(err)
	}

	// Output:
	// representer: neuron 1: w has length 2, want 1
	// {
	//   "order": 1,
	//   "input_dim": 1,
	//   "neurons": [
	//     {
	//       "w": [
	//         1
	//       ],
	//       "b": 0.5,
	//       "v": 2
	//     }
	//   ],
	//   "polynomial": [
	//     -1
	//   ]
	// }
}
