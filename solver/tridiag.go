package solver

// solveTridiag solves the symmetric tridiagonal system with diagonal d and
// off-diagonal e (e[i] couples i and i+1) in place in b by LDLᵀ, destroying
// d and e. It reports false for a non-positive pivot.
func solveTridiag(d, e, b []float64) bool {
	n := len(d)
	for i := 1; i < n; i++ {
		if !(d[i-1] > 0) {
			return false
		}
		l := e[i-1] / d[i-1]
		d[i] -= l * e[i-1]
		b[i] -= l * b[i-1]
		e[i-1] = l
	}
	if !(d[n-1] > 0) {
		return false
	}
	b[n-1] /= d[n-1]
	for i := n - 2; i >= 0; i-- {
		b[i] = b[i]/d[i] - e[i]*b[i+1]
	}
	return true
}
