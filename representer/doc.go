// Package representer converts between the splines that solve the convex
// total-variation problem and the shallow networks they represent (DESIGN
// §2 and §6): evaluation, balancing, the network → spline reduction, the
// generalised weight decay and path norm, and the NETWORK JSON format.
//
// # Activation
//
// The unit of order m ≥ 1 is the truncated power
//
//	ρ_m(t) = max(t, 0)^{m−1} / (m−1)!   (m ≥ 2),    ρ_1(t) = 1 if t ≥ 0, else 0,
//
// the Green's function of D^m: D^m ρ_m(· − t) = δ_t. ρ_2 is the ReLU, ρ_3 is
// ReLU²/2 and ρ_4 is ReLU³/6. The step ρ_1 is defined explicitly so that
// ρ_1(0) = 1. Order-2 networks may instead use max(t, αt) ("leaky:α") or
// |t| ("abs"). See Rho.
//
// # Splines
//
// A Spline of order m is
//
//	f(x) = Σ_k a_k ρ_m(x − t_k) + p(x),   p(x) = Σ_{i<m} c_i x^i,
//
// with strictly increasing knots t_k. The polynomials of degree < m are the
// null space of D^m, and for distinct knots
//
//	‖D^m f‖_M = Σ_k |a_k|,
//
// the total variation of D^{m−1}f (Spline.TV).
//
// # Networks
//
// A one-dimensional Network of order m is
//
//	f_θ(x) = Σ_k v_k ρ_m(w_k x − b_k) + p(x),
//
// where p, the skip connection, has degree < m (only its constant term, the
// output bias, when the skip connection is off). A network with input
// dimension d ≥ 2 (order 2) is Σ_k v_k ReLU(w_kᵀx − b_k) + cᵀx + c₀. The
// generalised weight decay and the path norm are
//
//	R(θ) = ½ Σ_k (v_k² + ‖w_k‖^{2(m−1)}),    P(θ) = Σ_k |v_k| ‖w_k‖^{m−1},
//
// with ½ Σ_k b_k² added to R when biases are penalised. For m = 1 the
// weight-decay form is degenerate (‖w‖⁰ = 1) and R is the path norm Σ_k |v_k|.
// By the arithmetic–geometric mean inequality P(θ) ≤ R(θ), with equality for
// balanced networks, |v_k| = ‖w_k‖^{m−1}. Both bound the function norm:
// ‖D^m f_θ‖_M ≤ P(θ) ≤ R(θ) (Savarese et al., COLT 2019; Parhi & Nowak,
// IEEE SPL 27, 2020).
//
// # Network to spline
//
// ρ_m is positively homogeneous of degree m − 1, so a neuron with w > 0 is
// the knot t = b/w with amplitude a = v w^{m−1}. A neuron with w < 0 is a
// forward knot with the sign (−1)^m and a polynomial of degree m − 1,
//
//	ρ_m(−s) = (−1)^m ρ_m(s) + (−1)^{m−1} s^{m−1}/(m−1)!    (m = 2: ReLU(−s) = ReLU(s) − s),
//
// which the skip connection absorbs; a neuron with w = 0 is a constant.
// Neurons that share a knot are merged by summing their amplitudes, which
// is where the function norm can fall below the path norm (Network.Spline).
// For m = 1 the identity holds except at s = 0.
//
// # Balancing
//
// Conversely a spline is the network with one neuron per knot,
//
//	|w_k| = |a_k|^{1/(2(m−1))},   v_k = sign(a_k) |a_k|^{1/2},   b_k = w_k t_k,
//
// (w_k = 1, v_k = a_k for m = 1), whose weight decay R(θ) equals ‖D^m f‖_M.
// Since the minimum of R over networks of width ≥ N − m equals the minimum
// of ‖D^m f‖_M over splines, a balanced network built from an optimal spline
// is an optimal network (Parhi & Nowak, JMLR 22, 2021). See Balanced.
//
// # Files
//
// Network carries the JSON field names of the NETWORK object of DESIGN §6;
// ReadNetwork decodes and validates one, and Network.WriteJSON writes one.
package representer
