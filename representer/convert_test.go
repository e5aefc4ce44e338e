package representer

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBalanced(t *testing.T) {
	rnd := newRand(t)
	for m := 1; m <= 4; m++ {
		for _, k := range []int{0, 1, 5, 20} {
			t.Run(fmt.Sprintf("m=%d/k=%d", m, k), func(t *testing.T) {
				s := randomSpline(rnd, m, k)
				require.NoError(t, s.Validate())
				n := Balanced(s)
				require.NoError(t, n.Validate())

				nonzero := 0
				for _, a := range s.Amps {
					if a != 0 {
						nonzero++
					}
				}
				assert.Len(t, n.Neurons, nonzero, "one neuron per nonzero amplitude")
				for _, u := range n.Neurons {
					assert.Greater(t, u.W[0], 0.0, "forward neurons only")
					if m > 1 {
						assertClose(t, math.Abs(u.V), math.Pow(u.W[0], float64(m-1)), tol, "balanced: |v| = w^(m−1)")
					}
				}

				// (a) The network is the spline, knots included.
				for _, x := range grid(-4, 4, 160, s.Knots...) {
					assertClose(t, s.Eval(x), n.Eval1D(x), tol, "x", x)
				}
				// (b) R(θ) = P(θ) = ‖D^m f‖_M.
				assertClose(t, s.TV(), n.WeightDecay(), tol, "weight decay")
				assertClose(t, s.TV(), n.PathNorm(), tol, "path norm")

				// And back: the same spline without its zero-amplitude knots.
				back, err := n.Spline()
				require.NoError(t, err)
				require.NoError(t, back.Validate())
				var knots, amps []float64
				for i, a := range s.Amps {
					if a != 0 {
						knots = append(knots, s.Knots[i])
						amps = append(amps, a)
					}
				}
				require.Len(t, back.Knots, len(knots))
				for i := range knots {
					assertClose(t, knots[i], back.Knots[i], tol, "knot", i)
					assertClose(t, amps[i], back.Amps[i], tol, "amplitude", i)
				}
				assert.Equal(t, s.Poly, back.Poly)
			})
		}
	}
}

func TestBalancedCopies(t *testing.T) {
	s := &Spline{Order: 3, Knots: []float64{1}, Amps: []float64{-16}, Poly: []float64{1, 2, 3}}
	n := Balanced(s)
	// |a| = 16: w = 16^(1/4) = 2, v = −16^(1/2) = −4, b = w·t = 2.
	assert.Equal(t, []Neuron{oneD(2, 2, -4)}, n.Neurons)
	n.Polynomial[0] = 99
	assert.Equal(t, 1.0, s.Poly[0], "Balanced must not share the polynomial")
	// A short polynomial is padded to the order.
	short := Balanced(&Spline{Order: 2, Poly: []float64{1}})
	assert.Equal(t, []float64{1, 0}, short.Polynomial)
	assert.NotNil(t, short.Neurons)
}

func TestNetworkSplineHandComputed(t *testing.T) {
	for _, test := range []struct {
		name string
		n    Network
		// The spline, TV, path norm and weight decay, all computed by hand.
		knots, amps, poly []float64
		tv, path, wd      float64
	}{
		{
			// m = 2, three neurons on the knot t = 1:
			//   (w=2, b=2, v=3):     t = 2/2 = 1, a = v·w = 6;
			//   (w=−1, b=−1, v=1):   t = −1/−1 = 1; ReLU(1 − x) = ReLU(x − 1) − (x − 1),
			//                        a = (−1)²·1·1 = 1, polynomial −x + 1;
			//   (w=4, b=4, v=−0.5):  t = 1, a = −0.5·4 = −2.
			// Merged a = 6 + 1 − 2 = 5; polynomial (0.5 + 1) + (−1 − 1)x.
			// P = 3·2 + 1·1 + 0.5·4 = 9; R = ½((9+4) + (1+1) + (0.25+16)) = 15.625.
			name:  "relu, three neurons on one knot",
			n:     Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(2, 2, 3), oneD(-1, -1, 1), oneD(4, 4, -0.5)}, Polynomial: []float64{0.5, -1}},
			knots: []float64{1}, amps: []float64{5}, poly: []float64{1.5, -2},
			tv: 5, path: 9, wd: 15.625,
		},
		{
			// m = 3, ρ_3(−s) = s²/2 − ρ_3(s):
			//   (w=−2, b=2, v=1):    t = −1, s = 2(x + 1): ρ_3(−2x − 2) = 2(x+1)² − 4ρ_3(x + 1),
			//                        a = −4, polynomial 2 + 4x + 2x²;
			//   (w=0, b=−3, v=2):    constant 2ρ_3(3) = 2·9/2 = 9;
			//   (w=1, b=2, v=−1):    t = 2, a = −1;
			//   (w=0.5, b=−0.5, v=8): t = −1, a = 8·0.25 = 2.
			// Knots −1: −4 + 2 = −2 and 2: −1; polynomial (1 + 2 + 9) + 4x + 2x².
			// P = 1·4 + 2·0 + 1·1 + 8·0.25 = 7;
			// R = ½((1+16) + (4+0) + (1+1) + (64+0.0625)) = 43.53125.
			name:  "order 3 with backward and constant neurons",
			n:     Network{Order: 3, InputDim: 1, Neurons: []Neuron{oneD(-2, 2, 1), oneD(0, -3, 2), oneD(1, 2, -1), oneD(0.5, -0.5, 8)}, Polynomial: []float64{1, 0, 0}},
			knots: []float64{-1, 2}, amps: []float64{-2, -1}, poly: []float64{12, 4, 2},
			tv: 3, path: 7, wd: 43.53125,
		},
		{
			// m = 1, ρ_1(−s) = 1 − ρ_1(s) for s ≠ 0:
			//   (w=2, b=1, v=3):     t = 0.5, a = 3;
			//   (w=−1, b=−0.5, v=2): t = 0.5, a = −2, constant +2;
			//   (w=1, b=−1, v=−4):   t = −1, a = −4;
			//   (w=0, b=1, v=5):     5ρ_1(−1) = 0;
			//   (w=0, b=−2, v=0.5):  0.5ρ_1(2) = 0.5.
			// Knots −1: −4 and 0.5: 3 − 2 = 1; constant 0.25 + 2 + 0.5.
			// P = R = Σ|v| = 3 + 2 + 4 + 5 + 0.5 = 14.5.
			name:  "steps",
			n:     Network{Order: 1, InputDim: 1, Neurons: []Neuron{oneD(2, 1, 3), oneD(-1, -0.5, 2), oneD(1, -1, -4), oneD(0, 1, 5), oneD(0, -2, 0.5)}, Polynomial: []float64{0.25}},
			knots: []float64{-1, 0.5}, amps: []float64{-4, 1}, poly: []float64{2.75},
			tv: 5, path: 14.5, wd: 14.5,
		},
		{
			// m = 4, ρ_4(−s) = ρ_4(s) − s³/6:
			//   (w=1, b=0, v=2) and (w=2, b=0, v=−0.25): t = 0, a = 2 − 0.25·8 = 0, dropped;
			//   (w=−1, b=−3, v=6):   t = 3, a = 6, polynomial −(x − 3)³ = 27 − 27x + 9x² − x³.
			// P = 2 + 0.25·8 + 6 = 10; R = ½((4+1) + (0.0625+64) + (36+1)) = 53.03125.
			name:  "order 4 with a cancelled knot",
			n:     Network{Order: 4, InputDim: 1, Neurons: []Neuron{oneD(1, 0, 2), oneD(2, 0, -0.25), oneD(-1, -3, 6)}, Polynomial: []float64{0, 0, 0, 1}},
			knots: []float64{3}, amps: []float64{6}, poly: []float64{27, -27, 9, 0},
			tv: 6, path: 10, wd: 53.03125,
		},
		{
			// abs, no skip: |−2x − 2| = 2ReLU(−2x − 2) − (−2x − 2), and
			// 2ReLU(−2x − 2) = 4ReLU(x + 1) − 4x − 4: a = 4 at −1, polynomial
			// 0.5 + 2 + 2x − 4 − 4x. The function norm 4 exceeds P = 1·2:
			// the path-norm bound is for ρ_m only. R = ½(1 + 4).
			name:  "abs without skip",
			n:     Network{Order: 2, InputDim: 1, Activation: "abs", Skip: ptr(false), Neurons: []Neuron{oneD(-2, 2, 1)}, Polynomial: []float64{0.5}},
			knots: []float64{-1}, amps: []float64{4}, poly: []float64{-1.5, -2},
			tv: 4, path: 2, wd: 2.5,
		},
		{
			// leaky:0.1: max(x, 0.1x) = 0.1x + 0.9ReLU(x).
			name:  "leaky",
			n:     Network{Order: 2, InputDim: 1, Activation: "leaky:0.1", Neurons: []Neuron{oneD(1, 0, 1)}, Polynomial: []float64{0, 0}},
			knots: []float64{0}, amps: []float64{0.9}, poly: []float64{0, 0.1},
			tv: 0.9, path: 1, wd: 1,
		},
	} {
		t.Run(test.name, func(t *testing.T) {
			s, err := test.n.Spline()
			require.NoError(t, err)
			require.NoError(t, s.Validate())
			assert.Equal(t, test.n.Order, s.Order)
			require.Len(t, s.Knots, len(test.knots))
			for i := range test.knots {
				assertClose(t, test.knots[i], s.Knots[i], tol, "knot", i)
				assertClose(t, test.amps[i], s.Amps[i], tol, "amplitude", i)
			}
			require.Len(t, s.Poly, len(test.poly))
			for i := range test.poly {
				assertClose(t, test.poly[i], s.Poly[i], tol, "polynomial", i)
			}
			assertClose(t, test.tv, s.TV(), tol, "TV")
			assertClose(t, test.path, test.n.PathNorm(), tol, "path norm")
			assertClose(t, test.wd, test.n.WeightDecay(), tol, "weight decay")

			// For m = 1 the network and the spline differ exactly at the
			// knot of a backward step, so the grid avoids the knots there.
			xs := grid(-4, 4, 160)
			if test.n.Order > 1 {
				xs = append(xs, test.knots...)
			} else {
				xs = grid(-4.01, 4.01, 160)
			}
			for _, x := range xs {
				assertClose(t, test.n.Eval1D(x), s.Eval(x), tol, "x", x)
			}
		})
	}
}

func TestNetworkSplineRandom(t *testing.T) {
	rnd := newRand(t)
	for m := 1; m <= 4; m++ {
		for _, skip := range []bool{true, false} {
			t.Run(fmt.Sprintf("m=%d/skip=%t", m, skip), func(t *testing.T) {
				n := &Network{Order: m, InputDim: 1, Skip: ptr(skip), Polynomial: make([]float64, m)}
				if !skip {
					n.Polynomial = n.Polynomial[:1]
				}
				for i := range n.Polynomial {
					n.Polynomial[i] = rnd.NormFloat64()
				}
				for range 12 {
					var w float64
					switch rnd.IntN(5) {
					case 0:
						w = 0
					case 1, 2:
						w = -0.2 - 2*rnd.Float64()
					default:
						w = 0.2 + 2*rnd.Float64()
					}
					b := 2 * rnd.NormFloat64()
					v := rnd.NormFloat64()
					n.Neurons = append(n.Neurons, oneD(w, b, v))
					if rnd.IntN(3) == 0 {
						// The same knot from a rescaled (possibly flipped) neuron.
						c := []float64{3, -0.5, 7}[rnd.IntN(3)]
						n.Neurons = append(n.Neurons, oneD(c*w, c*b, rnd.NormFloat64()))
					}
				}
				require.NoError(t, n.Validate())
				s, err := n.Spline()
				require.NoError(t, err)
				require.NoError(t, s.Validate())
				for _, x := range grid(-5.001, 5.001, 200) {
					assertClose(t, n.Eval1D(x), s.Eval(x), 1e-11, "x", x)
				}
				tv, p, r := s.TV(), n.PathNorm(), n.WeightDecay()
				assert.LessOrEqual(t, tv, p*(1+tol), "TV ≤ path norm")
				assert.LessOrEqual(t, p, r*(1+tol), "path norm ≤ weight decay")
			})
		}
	}
}

func TestNearDuplicateKnotsMerge(t *testing.T) {
	// 0.3/3 = 0.09999999999999999 ≠ 0.1 in floating point, but the two
	// neurons are one knot whose amplitudes 1 and (−1/3)·3 = −1 cancel.
	n := &Network{Order: 2, InputDim: 1, Neurons: []Neuron{oneD(1, 0.1, 1), oneD(3, 0.3, -1.0/3)}, Polynomial: []float64{0, 0}}
	b, w := n.Neurons[1].B, n.Neurons[1].W[0]
	require.NotEqual(t, 0.1, b/w, "the premise of the test")
	s, err := n.Spline()
	require.NoError(t, err)
	assert.Empty(t, s.Knots)
	assert.Equal(t, 0.0, s.TV())
	assert.Equal(t, []float64{0, 0}, s.Poly)

	// Knots farther apart than the tolerance stay apart.
	n.Neurons[1].B = 0.3 * (1 + 1e-9)
	s, err = n.Spline()
	require.NoError(t, err)
	assert.Len(t, s.Knots, 2)
}

func TestNetworkSplineErrors(t *testing.T) {
	_, err := (&Network{Order: 2, InputDim: 1, Polynomial: []float64{0}}).Spline()
	var verr *ValidationError
	assert.ErrorAs(t, err, &verr)
	_, err = (&Network{Order: 2, InputDim: 1, Polynomial: []float64{0, 0}, Activation: "softplus"}).Spline()
	assert.ErrorAs(t, err, &verr)
	_, err = (&Network{Order: 2, InputDim: 3, Linear: []float64{0, 0, 0}}).Spline()
	assert.ErrorIs(t, err, ErrUnsupported)
	assert.EqualError(t, err, "representer: unsupported: spline of a network with input_dim 3, want 1")
}
