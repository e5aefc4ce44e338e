package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeWorkedExample runs the README's worked example and compares its
// output with the block printed there, so that the documentation cannot
// drift. The seconds and the gap (rounding-level noise) are not compared.
func TestReadmeWorkedExample(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	const cmd = "$ go run ./cmd/ridgeline fit --data testdata/sunspots.csv --lambda 60 --plot docs/fit_sunspots.png\n"
	text := string(b)
	i := strings.Index(text, cmd)
	require.GreaterOrEqual(t, i, 0, "README lost its worked example")
	block := text[i+len(cmd):]
	block = block[:strings.Index(block, "```")]

	var stdout, stderr bytes.Buffer
	args := []string{"fit", "--data", "../../testdata/sunspots.csv", "--lambda", "60"}
	require.NoError(t, run(&stdout, &stderr, args))
	got := strings.ReplaceAll(stdout.String(), "../../testdata/", "testdata/")
	keep := func(s string) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			if !strings.HasPrefix(l, "seconds:") && !strings.HasPrefix(l, "gap:") {
				out = append(out, l)
			}
		}
		return out
	}
	require.Equal(t, keep(block), keep(got))
}
