package solver

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// TestHuberFromSquaredAgreesWithInteriorPoint compares the Huber solve
// started from the squared optimum with the interior point on the whole
// slope dual (an independent formulation): both certified, equal optima.
// δ ranges from a twentieth of the noise (nearly l1: reached by the
// homotopy in δ) to beyond every residual (the squared optimum itself).
// (Far below the noise and at small λ the active set may not settle on the
// way; Solve then falls back to the interior point, which can break down
// there too — a known limitation, not asserted here.)
func TestHuberFromSquaredAgreesWithInteriorPoint(t *testing.T) {
	r := testRand(t)
	cases := []struct {
		delta, lam float64
		settles    bool // must the warm start settle?
	}{
		{0.005, 1, false}, {0.01, 1, false}, {0.03, 0.05, true}, {0.1, 0.05, true},
		{0.1, 1, true}, {0.5, 0.05, true}, {5, 1, true},
	}
	for _, c := range cases {
		{
			delta, lam, settles := c.delta, c.lam, c.settles
			p := randomProblem(r, 2000, problem.Huber{Delta: delta}, lam)
			t.Run(fmt.Sprintf("delta=%g/lambda=%g", delta, lam), func(t *testing.T) {
				g, err := p.Group1D()
				require.NoError(t, err)
				sc := newScaling(p, g)
				c := huberFromSquared(p, g, sc, delta, Options{})
				if c == nil && !settles {
					t.Skip("the warm start did not settle (allowed this far below the noise)")
				}
				require.NotNil(t, c, "the warm start did not settle")
				c.order = g.Order
				got, err := finish(p, c, Banded, Options{}, time.Now(), -1)
				require.NoError(t, err)
				requireCertified(t, p, got)
				ds, err := solveSlopeDual(p, g, sc, Options{})
				require.NoError(t, err)
				rc := dualCandidate(p, g, sc, ds, nil)
				rc.order = g.Order
				ref, err := finish(p, rc, Banded, Options{}, time.Now(), -1)
				require.NoError(t, err)
				requireCertified(t, p, ref)
				assert.True(t, equalRel(got.Certificate.Objective, ref.Certificate.Objective, 1e-9),
					"from squared %.15g vs interior point %.15g", got.Certificate.Objective, ref.Certificate.Objective)
			})
		}
	}
}
