package verify

import (
	"testing"

	"github.com/ridgeline-nn/ridgeline/problem"
)

func benchmarkStep(b *testing.B, n, k, m int, batch int) {
	p := randomProblem(1, n, 1, m, problem.Squared{}, true)
	tr, err := newTrainer(p, TrainOptions{Width: k, BatchSize: batch})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		tr.epoch()
	}
}

func BenchmarkEpoch300x300(b *testing.B)        { benchmarkStep(b, 300, 300, 2, 0) }
func BenchmarkEpoch300x300Order4(b *testing.B)  { benchmarkStep(b, 300, 300, 4, 0) }
func BenchmarkEpoch300x300Batch32(b *testing.B) { benchmarkStep(b, 300, 300, 2, 32) }
