// Package verify checks shallow networks against the certified optimum of
// their training problem (DESIGN §2, §4, §6): it certifies any given
// network, trains networks by SGD or Adam on exactly the same objective,
// and compares trained networks with the convex solution.
//
// # The training problem
//
// A network of order m,
//
//	f_θ(x) = Σ_k v_k ρ_m(w_k·x − b_k) + p(x),   ρ_m(t) = max(t, 0)^{m−1}/(m−1)!,
//
// with p a polynomial of degree < m (the skip connection; only the output
// bias without it), trained with weight decay on the input and output
// weights, minimises
//
//	J(θ) = Σ_n ω_n ℓ(f_θ(x_n) − y_n) + λR(θ),   R(θ) = ½Σ_k (v_k² + ‖w_k‖^{2(m−1)}).
//
// The minimum of J over networks of width ≥ N − m equals the minimum over
// functions of Σω ℓ + λ‖D^m f‖_M, a convex problem that package solver
// solves to a certified optimum J* (Savarese et al., COLT 2019; Parhi &
// Nowak, IEEE SPL 27, 2020 and JMLR 22, 2021). For every network
//
//	J(θ) ≥ Σω ℓ + λP(θ) ≥ Σω ℓ + λ‖D^m f_θ‖_M ≥ J* ≥ L,
//
// with the path norm P(θ) = Σ|v_k|‖w_k‖^{m−1} (equal to R for balanced
// weights), the function norm ‖D^m f_θ‖_M (below P when neurons share a
// knot with amplitudes of opposite signs) and any certified lower bound L.
//
// # Certificates
//
// Certify evaluates J(θ), R(θ), P(θ) and ‖D^m f_θ‖_M of a network and a
// lower bound L built from its own residuals: u_n = −ω_n ℓ'(f_θ(x_n) − y_n),
// projected onto the complement of the polynomials, with the exact sup of
// its dual function η(t) = Σ u_n ρ_m(x_n − t) and the best feasible scaling
// (package certificate, DESIGN §4). The bound is valid whatever the network
// is; it is tight when the network is optimal (squared and Huber losses).
// The relative gap (J(θ) − L)/|J(θ)| bounds how far J(θ) is from J*, and
// with CertifyOptions.Solve the exact J* gives the true gap.
//
// # Training
//
// Train runs full-batch or minibatch gradient descent (SGD with optional
// momentum, or Adam) on J itself, in standardised units with an exact map
// back to the problem's units, deterministically for a given seed. Order 1
// is not trained (the step has no useful gradient). Compare solves the
// convex problem, trains several seeds and reports, per seed, the final
// objective and gap to J*, the wall time to come within 1% and 0.1% of
// J*, the number of kinks (Kinks) and the sup-norm distance between the
// trained function and the optimal spline.
//
// # Files
//
// ReadNetworkFile reads a NETWORK JSON object (DESIGN §6) or a NumPy .npz
// archive (ReadNPZ) with arrays w, b, v and poly, or linear and bias. A
// PyTorch model nn.Sequential(nn.Linear(1, K), nn.ReLU(), nn.Linear(K, 1))
// plus a skip nn.Linear(1, 1) is exported with b = −(first layer's bias),
// since the unit here is ρ(w·x − b):
//
//	np.savez("net.npz", w=l1.weight.detach().numpy(), b=-l1.bias.detach().numpy(),
//	         v=l2.weight.detach().numpy().ravel(),
//	         linear=skip.weight.detach().numpy().ravel(),
//	         bias=(l2.bias + skip.bias).detach().numpy().reshape(()))
package verify
