#!/usr/bin/env python3
# Needs numpy (Debian: apt-get install python3-numpy).
"""Generate the .npz network fixtures read by verify/npz_test.go.

Run once from this directory (python3 make_fixture.py); the values are
hard-coded in verify/npz_test.go, so the files must not be regenerated with
different numbers. Networks follow DESIGN §6:

    f(x) = sum_k v_k rho_m(w_k . x - b_k) + polynomial part,

with arrays w (K x d or K), b (K), v (K) and either poly (m) or linear (d)
and bias (scalar); order (scalar) is optional and defaults to 2.
"""
import numpy as np

# relu2.npz: order 2, 1-D, float64, w as a K x 1 column (PyTorch's
# Linear(1, K).weight layout), explicit int64 order, poly = [c0, c1].
# It has a backward neuron (w < 0), a dead one (w = 0) and two neurons of
# opposite signs that share the knot t = 0.5, so its function norm (1.0) is
# below its path norm (3.0).
np.savez(
    "relu2.npz",
    w=np.array([[1.0], [-2.0], [0.0], [2.0]]),
    b=np.array([0.5, 1.0, -3.0, 1.0]),
    v=np.array([1.5, -0.25, 4.0, -0.5]),
    poly=np.array([0.125, -1.0]),
    order=np.int64(2),
)

# linear2d_f32.npz: float32, input dimension 2, w stored in Fortran order,
# a linear skip part and a scalar output bias, no order (default 2).
np.savez(
    "linear2d_f32.npz",
    w=np.asfortranarray(np.array([[1.0, 2.0], [-0.5, 0.25], [3.0, -1.0]], dtype=np.float32)),
    b=np.array([0.5, -1.0, 2.0], dtype=np.float32),
    v=np.array([1.0, -2.0, 0.5], dtype=np.float32),
    linear=np.array([0.75, -0.125], dtype=np.float32),
    bias=np.float32(1.5),
)

# cubic3.npz: order 3 (ReLU^2/2), w as a flat vector, order as int32.
np.savez(
    "cubic3.npz",
    w=np.array([1.0, -1.0]),
    b=np.array([0.0, 1.0]),
    v=np.array([2.0, 3.0]),
    poly=np.array([1.0, 0.0, 0.5]),
    order=np.int32(3),
)

# linear1d.npz: a PyTorch-style export of Sequential(Linear(1, K), ReLU,
# Linear(K, 1)) plus a Linear(1, 1) skip: linear (1) and bias () instead of poly.
np.savez(
    "linear1d.npz",
    w=np.array([[2.0], [1.0]]),
    b=np.array([1.0, -1.0]),
    v=np.array([0.5, -1.0]),
    linear=np.array([0.25]),
    bias=np.array(2.0),
)

# Malformed files: each must be rejected with a message that names the problem.
np.savez("bad_missing_v.npz", w=np.array([1.0, 2.0]), b=np.array([0.0, 1.0]),
         poly=np.array([0.0, 0.0]))
np.savez("bad_shape.npz", w=np.array([1.0, 2.0]), b=np.array([0.0, 1.0, 2.0]),
         v=np.array([1.0, 1.0]), poly=np.array([0.0, 0.0]))
np.savez("bad_nan.npz", w=np.array([1.0, np.nan]), b=np.array([0.0, 1.0]),
         v=np.array([1.0, 1.0]), poly=np.array([0.0, 0.0]))
np.savez("bad_order.npz", w=np.array([1.0, 2.0]), b=np.array([0.0, 1.0]),
         v=np.array([1.0, 1.0]), poly=np.array([0.0, 0.0]), order=np.int64(3))
np.savez("bad_nopoly.npz", w=np.array([1.0, 2.0]), b=np.array([0.0, 1.0]),
         v=np.array([1.0, 1.0]))
