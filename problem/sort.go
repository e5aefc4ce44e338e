package problem

import (
	"math"
	"slices"
	"strconv"

	"github.com/ridgeline-nn/ridgeline/internal/parallel"
)

// SortedOrder returns the permutation that sorts x in increasing order,
// ties kept in their original order (the result of a stable sort), in
// O(N) when x is already sorted. NaNs must have been rejected before.
func SortedOrder(x []float64) []int {
	ord, _ := sortedOrder(x, false)
	return ord
}

// sortedOrder returns SortedOrder(x) and, if values is set, x in that order
// (nil otherwise).
//
// Large inputs are sorted by distribution: one pass puts each value into
// one of about N/bucketLoad buckets of equal width between min x and max x,
// a stable scatter writes the buckets in order, and each bucket is sorted
// on its own. The bucket of v is ⌊(v − min)·B/(max − min)⌋, a
// non-decreasing function of v in floating-point arithmetic (subtraction
// and multiplication by a positive number are monotone under rounding), so
// every value of a bucket is ≤ every value of the next one. Small buckets
// (the rule for spread-out data) are sorted by insertion, in cache; a
// bucket that collects many values (clustered data) is distributed again
// over its own range, and after bucketDepth levels sorted by radix, which
// bounds the cost by O(N) in every case. Ranges that cannot be divided in
// floating point (infinite values) go to the radix sort directly. Only the
// counts are work space (the scatter computes each bucket number again
// rather than storing it), and the scatter writes the results. At N = 10^6 uniform values this is about twice as fast as the
// radix sort alone (whose work space was four times the input), and the
// outer distribution runs in two halves concurrently from parallelMin on.
func sortedOrder(x []float64, values bool) (ord []int, xs []float64) {
	n := len(x)
	ord = make([]int, n)
	if values {
		xs = make([]float64, n)
	}
	if n == 0 {
		return ord, xs
	}
	// Sorted input is detected on the way to the first descent; the range
	// of the rest costs no branches.
	i := 1
	for i < n && x[i] >= x[i-1] {
		i++
	}
	if i == n {
		for i := range ord {
			ord[i] = i
		}
		copy(xs, x)
		return ord, xs
	}
	// Plain comparisons (no NaNs): the builtin min and max also order
	// signed zeros and NaNs, which costs branches here.
	lo, hi := x[0], x[i-1]
	for _, v := range x[i:] {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	if !values && n >= radixMin && keyOrder(ord, x, lo, hi) {
		return ord, nil
	}
	if xs == nil {
		xs = make([]float64, n)
	}
	switch {
	case n < radixMin:
		comparisonOrder(ord, xs, x)
	case !bucketOrder(ord, xs, x, lo, hi):
		for i := range ord {
			ord[i] = i
		}
		copy(xs, x)
		radixSort(xs, ord, nil)
	}
	if !values {
		xs = nil
	}
	return ord, xs
}

// comparisonOrder sets ord to the stable sorting permutation of x and xs to
// the sorted values by a comparison sort. Sorting (value, index) pairs
// keeps the comparisons in cache and the index breaks ties, which makes the
// unstable sort stable.
func comparisonOrder(ord []int, xs, x []float64) {
	type pair struct {
		x float64
		i int
	}
	pairs := make([]pair, len(x))
	for i, v := range x {
		pairs[i] = pair{v, i}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return a.i - b.i
	})
	for k, pr := range pairs {
		ord[k], xs[k] = pr.i, pr.x
	}
}

// Sizes of the sorts.
const (
	// radixMin is the size from which the distribution and radix sorts
	// beat the comparison sort.
	radixMin = 1 << 12
	// bucketLoad is the mean number of values per bucket of the
	// distribution sort: fewer buckets keep the counts in cache, more keep
	// the insertion sorts short.
	bucketLoad = 4
	// insertionMax is the largest bucket sorted by insertion; larger
	// buckets (values clustered in a small part of the range) are
	// distributed again over their own range.
	insertionMax = 64
	// bucketDepth is the number of nested distributions after which a
	// bucket is sorted by radix, which bounds the cost by O(N) whatever
	// the distribution of the values.
	bucketDepth = 3
	// coarseBuckets is the number of buckets of the outer distribution
	// above coarseMin values.
	coarseBuckets = 1 << 10
)

// coarseMin is the number of values above which the outer distribution
// uses coarseBuckets buckets only, each bucket (of about N/coarseBuckets
// values) then distributed again in cache. A scatter into N/bucketLoad
// buckets of arrays much larger than the caches misses the TLB on nearly
// every write: at N = 10^7 the coarse level halves the time of the sort, at
// 10^6 it gains nothing (go test ./problem -run '^$' -bench
// 'SortedOrder/uniform'; set coarseMin above N to compare). (A variable for
// the tests.)
var coarseMin = 1 << 22

// bucketOrder sets ord to the stable sorting permutation of x and xs to the
// sorted values by the distribution sort of sortedOrder, given the smallest
// and largest value. It returns false, having done nothing, when the range
// cannot be divided into buckets in floating point (infinite values, or a
// range so wide or so narrow that the bucket scale overflows) or when N
// exceeds the range of the int32 counts.
func bucketOrder(ord []int, xs, x []float64, lo, hi float64) bool {
	var s, other bucketScratch
	if len(x) < parallelMin {
		return s.distribute(xs, ord, x, nil, lo, hi, 0, nil)
	}
	return s.distribute(xs, ord, x, nil, lo, hi, 0, &other)
}

// parallelMin is the size from which the outer distribution, and the
// passes of Group1D, run in two halves concurrently.
const parallelMin = parallel.Min

// bucketScratch is the work space of the distribution sort, one set per
// level of nesting, reused across the buckets of a level.
type bucketScratch struct {
	end [bucketDepth + 1][]int32
	x   [bucketDepth + 1][]float64
	ord [bucketDepth + 1][]int
	rad []radixItem
}

// distribute sorts the values src (carrying the indices srcOrd, nil for
// 0, 1, …) into dst and dstOrd, stably, given their smallest and largest
// value, at nesting level depth. It returns false, having done nothing,
// when the range cannot be divided into buckets.
//
// With other not nil the work is shared with a second goroutine, which uses
// other as its work space: each half of src is counted and scattered by
// one goroutine (the first half's values of a bucket are placed before the
// second half's, which keeps the scatter stable), then each half of the
// buckets is sorted by one. The result is the stable sort either way.
func (s *bucketScratch) distribute(dst []float64, dstOrd []int, src []float64, srcOrd []int, lo, hi float64, depth int, other *bucketScratch) bool {
	n := len(src)
	nb := n / bucketLoad
	if depth == 0 && n > coarseMin {
		nb = coarseBuckets
	}
	width := hi - lo
	scale := float64(nb) / width
	if !(width > 0 && width <= math.MaxFloat64 && scale <= math.MaxFloat64) || n > math.MaxInt32 {
		return false // the counts are int32
	}
	scr := []*bucketScratch{s}
	if other != nil {
		scr = append(scr, other)
	}
	parts := len(scr)
	cnt := make([][]int32, parts)
	for p := range cnt {
		cnt[p] = grow(&scr[p].end[depth], nb)
		clear(cnt[p])
	}
	// 1. The bucket of each value, and the size of each bucket in each part.
	parallel.Run(parts, func(p int) {
		c := cnt[p]
		for i := p * n / parts; i < (p+1)*n/parts; i++ {
			c[bucketOf(src[i], lo, scale, nb)]++
		}
	})
	// 2. Stable scatter: cnt[p][b] becomes where part p's values of bucket
	// b start, and after the scatter where they end.
	pos := int32(0)
	for b := 0; b < nb; b++ {
		for _, c := range cnt {
			c[b], pos = pos, pos+c[b]
		}
	}
	parallel.Run(parts, func(p int) {
		c := cnt[p]
		for i := p * n / parts; i < (p+1)*n/parts; i++ {
			b := bucketOf(src[i], lo, scale, nb)
			k := c[b]
			c[b] = k + 1
			dst[k] = src[i]
			if srcOrd == nil {
				dstOrd[k] = i
			} else {
				dstOrd[k] = srcOrd[i]
			}
		}
	})
	// 3. Each bucket on its own; its values are in their original order.
	// Bucket b ends where the last part's values of it end.
	end := cnt[parts-1]
	parallel.Run(parts, func(p int) {
		b0, b1 := p*nb/parts, (p+1)*nb/parts
		a := 0
		if b0 > 0 {
			a = int(end[b0-1])
		}
		for _, e32 := range end[b0:b1] {
			e := int(e32)
			switch {
			case e-a <= 1:
			case e-a <= insertionMax:
				insertionSort(dst[a:e], dstOrd[a:e])
			default:
				scr[p].sortBucket(dst[a:e], dstOrd[a:e], depth+1)
			}
			a = e
		}
	})
	return true
}

// bucketOf returns the bucket of v, ⌊(v − lo)·scale⌋ capped at nb − 1: the
// count and the scatter compute it alike, which costs less than storing
// it between them.
func bucketOf(v, lo, scale float64, nb int) int {
	b := int((v - lo) * scale)
	if b >= nb {
		b = nb - 1
	}
	return b
}

// sortBucket sorts a bucket that holds many values in place: by another
// distribution over its own range, or by radix at the deepest level.
func (s *bucketScratch) sortBucket(xs []float64, ord []int, depth int) {
	lo, hi := xs[0], xs[0]
	for _, v := range xs[1:] {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	if lo == hi {
		return // all equal: the original order is the stable one
	}
	if depth < bucketDepth {
		tx := grow(&s.x[depth], len(xs))
		to := grow(&s.ord[depth], len(ord))
		copy(tx, xs)
		copy(to, ord)
		if s.distribute(xs, ord, tx, to, lo, hi, depth, nil) {
			return
		}
	}
	s.rad = radixSort(xs, ord, s.rad)
}

// grow returns (*buf)[:n], reallocating the buffer if it is shorter.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// insertionSort sorts xs stably, applying the same moves to ord.
func insertionSort(xs []float64, ord []int) {
	for k := 1; k < len(xs); k++ {
		v, o := xs[k], ord[k]
		j := k
		for ; j > 0 && xs[j-1] > v; j-- {
			xs[j], ord[j] = xs[j-1], ord[j-1]
		}
		xs[j], ord[j] = v, o
	}
}

// radixItem is a sort key with the index it carries: keys and indices
// travel together, so each radix pass scatters one stream per bucket
// rather than two.
type radixItem struct {
	key uint64
	idx int
}

// radixSort sorts xs stably, applying the same permutation to ord, by a
// least-significant-digit radix sort on the order-preserving integer image
// of the floats (flip all bits of negatives, the sign bit of the rest):
// eight byte passes, O(N). Passes whose byte is the same for every key are
// skipped, and sorted input costs one pass. buf is work space, grown if
// shorter than 2·len(xs), and returned for reuse.
func radixSort(xs []float64, ord []int, buf []radixItem) []radixItem {
	n := len(xs)
	if slices.IsSorted(xs) {
		return buf
	}
	if cap(buf) < 2*n {
		buf = make([]radixItem, 2*n)
	}
	a, b := buf[:n], buf[n:2*n]
	for i, v := range xs {
		k := math.Float64bits(v)
		if k>>63 == 1 {
			k = ^k
		} else {
			k |= 1 << 63
		}
		a[i] = radixItem{k, ord[i]}
	}
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		count = [256]int{}
		for i := range a {
			count[(a[i].key>>shift)&0xff]++
		}
		if count[(a[0].key>>shift)&0xff] == n {
			continue
		}
		pos := 0
		for d := range count {
			c := count[d]
			count[d] = pos
			pos += c
		}
		for i := range a {
			d := (a[i].key >> shift) & 0xff
			b[count[d]] = a[i]
			count[d]++
		}
		a, b = b, a
	}
	for i, it := range a {
		k := it.key
		if k>>63 == 1 {
			k &^= 1 << 63
		} else {
			k = ^k
		}
		xs[i], ord[i] = math.Float64frombits(k), it.idx
	}
	return buf
}

// keyOrder sets ord to the stable sorting permutation of x, given its
// smallest and largest value, when the values are spread out: it returns
// false, having done nothing useful, if a bucket of its distribution would
// hold more than insertionMax values (clustered data, which the general
// distribution sort handles), if the range cannot be divided in floating
// point, or if N is too large or the platform's int too small for its
// records.
//
// It is the distribution sort of bucketOrder without the values: each
// value v becomes a 32-bit key ⌊(v − lo)·2³²/(hi − lo)⌋, a non-decreasing
// function of v in floating-point arithmetic, whose top bits are its
// bucket, and travels as one 64-bit record key<<32 | index, written in
// place into ord. The records of a bucket are sorted by insertion as
// integers, which orders them by key and equal keys by index; runs of
// equal keys (values closer than 2⁻³² of the range) are then put in order
// of value, equal values by index. Half the bytes of bucketOrder's
// scatter, which moves values and indices, move; SortedOrder, whose
// caller gathers the values itself, needs no more.
func keyOrder(ord []int, x []float64, lo, hi float64) bool {
	n := len(x)
	width := hi - lo
	scale := 0x1p32 / width
	if strconv.IntSize < 64 || n > math.MaxInt32 || !(width > 0 && width <= math.MaxFloat64 && scale <= math.MaxFloat64) {
		return false
	}
	bits := 1
	for 1<<bits < n/bucketLoad && bits < 30 {
		bits++
	}
	nb, shift := 1<<bits, uint(32-bits)
	key := func(v float64) uint64 {
		return uint64(min((v-lo)*scale, 0x1p32-1))
	}
	parts := parallel.Parts(n)
	cnt := make([][]int32, parts)
	for p := range cnt {
		cnt[p] = make([]int32, nb)
	}
	parallel.Run(parts, func(p int) {
		c := cnt[p]
		a, b := parallel.Span(n, parts, p)
		for _, v := range x[a:b] {
			c[key(v)>>shift]++
		}
	})
	// Bucket starts, part by part (stable), and the largest bucket.
	pos := int32(0)
	for b := 0; b < nb; b++ {
		start := pos
		for _, c := range cnt {
			c[b], pos = pos, pos+c[b]
		}
		if pos-start > insertionMax {
			return false
		}
	}
	parallel.Run(parts, func(p int) {
		c := cnt[p]
		a, b := parallel.Span(n, parts, p)
		for i := a; i < b; i++ {
			k := key(x[i])
			j := c[k>>shift]
			c[k>>shift] = j + 1
			ord[j] = int(k<<32 | uint64(i))
		}
	})
	// Each bucket, ending where the last part's records of it end.
	end := cnt[parts-1]
	parallel.Run(parts, func(p int) {
		b0, b1 := p*nb/parts, (p+1)*nb/parts
		a := 0
		if b0 > 0 {
			a = int(end[b0-1])
		}
		for _, e32 := range end[b0:b1] {
			e := int(e32)
			if e-a > 1 {
				sortRecords(ord[a:e], x)
			}
			for k := a; k < e; k++ {
				ord[k] &= 1<<32 - 1
			}
			a = e
		}
	})
	return true
}

// sortRecords sorts the records key<<32 | index of one bucket of keyOrder
// by key, then value, then index.
func sortRecords(r []int, x []float64) {
	for k := 1; k < len(r); k++ {
		v := uint64(r[k])
		j := k
		for ; j > 0 && uint64(r[j-1]) > v; j-- {
			r[j] = r[j-1]
		}
		r[j] = int(v)
	}
	// Runs of equal keys: by value, then index (insertion, stable).
	for k := 1; k < len(r); k++ {
		if uint64(r[k])>>32 != uint64(r[k-1])>>32 {
			continue
		}
		v := r[k]
		xv := x[uint64(v)&(1<<32-1)]
		j := k
		for ; j > 0 && uint64(r[j-1])>>32 == uint64(v)>>32 && x[uint64(r[j-1])&(1<<32-1)] > xv; j-- {
			r[j] = r[j-1]
		}
		r[j] = v
	}
}
