package solver

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ridgeline-nn/ridgeline/problem"
)

// TestSharedCases checks the canonical scaling (the ½ of the squared loss,
// λ, duplicate handling) against the example problems beside the project,
// whose optima were computed by an independent solver. They are a
// convention check, not this package's golden values: the test skips when
// the folder is absent and for orders not implemented yet.
func TestSharedCases(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "shared", "cases", "*", "case.json"))
	if len(dirs) == 0 {
		t.Skip("no shared cases beside the project")
	}
	for _, c := range dirs {
		dir := filepath.Dir(c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var cs struct {
				D, M   int
				Loss   string
				Lambda *float64
				Skip   bool
			}
			var want struct{ Value, Lower float64 }
			b, err := os.ReadFile(c)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &cs))
			b, err = os.ReadFile(filepath.Join(dir, "expected.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &want))
			data, err := problem.LoadCSV(filepath.Join(dir, "data.csv"), problem.CSVOptions{})
			require.NoError(t, err)
			loss, err := problem.ParseLoss(cs.Loss, 1)
			require.NoError(t, err)
			lam := 0.0
			if cs.Lambda != nil {
				lam = *cs.Lambda
			}
			p := data.Problem(loss, lam, cs.M, cs.Skip)
			sol, err := Solve(p, Options{})
			if errors.Is(err, ErrUnsupported) {
				t.Skip(err)
			}
			require.NoError(t, err)
			requireCertified(t, p, sol)
			// Both certified: the optima agree to the sum of the gaps.
			assert.True(t, equalRel(sol.Certificate.Objective, want.Value, 1e-8), "J = %.15g, expected %.15g", sol.Certificate.Objective, want.Value)
		})
	}
}
