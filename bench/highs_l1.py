#!/usr/bin/python3
"""Reference solve of ridgeline's l1 problem with HiGHS through SciPy.

Solves, for the CSV data file x,y (one header line) and the weight λ,

    min_f  Σ_n |f(x_n) − y_n| + λ‖f''‖_M

over continuous piecewise-linear f, the canonical problem of DESIGN §2 with
unit weights, order 2 and the skip connection, as the trend-filtering LP of
DESIGN §3 in the fitted values z_g = f(ξ_g) at the distinct sorted inputs
ξ_1 < … < ξ_G:

    min  Σ_n (r⁺_n + r⁻_n) + λ Σ_k (a⁺_k + a⁻_k)
    s.t. z_{g(n)} − r⁺_n + r⁻_n = y_n                      n = 1..N
         s_{k+1} − s_k − a⁺_k + a⁻_k = 0                   k = 1..G−2
         r⁺, r⁻, a⁺, a⁻ ≥ 0,  z free,

where s_k = (z_{k+1} − z_k)/(ξ_{k+1} − ξ_k) is the slope on the k-th
interval, so that s_{k+1} − s_k is the amplitude of the knot at ξ_{k+1}
and Σ|s_{k+1} − s_k| = ‖f''‖_M. Samples with equal inputs share one z.

The LP is solved with scipy.optimize.linprog(method="highs-ds") (HiGHS dual
simplex) or "highs-ipm" (HiGHS interior point with crossover), with
HiGHS's default tolerances, as a user of SciPy would. Prints one JSON object:

    status          "optimal", or HiGHS's message when it is not
    objective       the LP's optimal value as HiGHS reports it
    objective_recomputed
                    J(z) recomputed here from HiGHS's z alone (residuals and
                    slope changes in float64): differs from objective when
                    the LP solution is inaccurate
    seconds         wall time of the linprog call
    build_seconds   wall time to build the LP from the loaded data
    load_seconds    wall time to read the CSV file
    simplex_iterations, ipm_iterations, ipm_status, crossover_status
                    from HiGHS's log: HiGHS 1.2 falls back to dual simplex
                    from scratch when its interior point stops short
    n, groups, rows, cols, nonzeros, iterations, method, highs_version

Exit status 0 whenever a JSON object was printed (the status field says how
the solve ended), 2 for bad usage or data, 3 when SciPy is missing.
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="CSV file x,y with one header line (required)")
    ap.add_argument("--lambda", dest="lam", type=float, help="regularisation weight λ > 0 (required)")
    ap.add_argument("--method", default="highs-ds", choices=["highs-ds", "highs-ipm", "highs"])
    ap.add_argument("--time-limit", type=float, default=0, help="HiGHS time limit in seconds (0: none)")
    ap.add_argument("--version", action="store_true",
                    help="print {scipy_version, highs_version} as JSON and exit: the check that SciPy imports")
    args = ap.parse_args()

    try:
        import numpy as np
        import scipy
        import scipy.sparse as sp
        from scipy.optimize import linprog
    except ImportError as e:
        print("highs_l1.py: %s: HiGHS not installed: apt-get install python3-scipy" % e, file=sys.stderr)
        sys.exit(3)
    if args.version:
        print(json.dumps({"scipy_version": scipy.__version__, "highs_version": highs_version(linprog)}))
        return
    if args.data is None or args.lam is None:
        ap.error("--data and --lambda are required")
    if not (args.lam > 0 and math.isfinite(args.lam)):
        ap.error("--lambda must be finite and > 0")

    t0 = time.perf_counter()
    data = np.loadtxt(args.data, delimiter=",", skiprows=1, ndmin=2)
    if data.shape[1] != 2:
        print("highs_l1.py: %s: want 2 columns x,y, got %d" % (args.data, data.shape[1]), file=sys.stderr)
        sys.exit(2)
    x, y = data[:, 0], data[:, 1]
    load = time.perf_counter() - t0

    t0 = time.perf_counter()
    c, A, b, bounds, xi, g = build(np, sp, x, y, args.lam)
    build_s = time.perf_counter() - t0
    n, ng = len(y), len(xi)

    # HiGHS's log (disp) goes to a file: it is the only place that says
    # whether the interior point finished or HiGHS fell back to simplex.
    options = {"disp": True}
    if args.time_limit > 0:
        options["time_limit"] = args.time_limit
    with CLog() as log:
        t0 = time.perf_counter()
        res = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method=args.method, options=options)
        solve_s = time.perf_counter() - t0
    info = parse_log(log.text)

    out = {
        "method": args.method,
        "status": "optimal" if res.status == 0 else res.message,
        "objective": None,
        "objective_recomputed": None,
        "seconds": solve_s,
        "build_seconds": build_s,
        "load_seconds": load,
        "n": n,
        "groups": ng,
        "rows": A.shape[0],
        "cols": A.shape[1],
        "nonzeros": int(A.nnz),
        "iterations": int(getattr(res, "nit", 0) or 0),
        "simplex_iterations": info.get("simplex_iterations"),
        "ipm_iterations": info.get("ipm_iterations"),
        "ipm_status": info.get("ipm_status"),
        "crossover_status": info.get("crossover_status"),
        "scipy_version": scipy.__version__,
        "highs_version": highs_version(linprog),
    }
    if res.x is not None and res.status == 0:
        out["objective"] = float(res.fun)
        out["objective_recomputed"] = recompute(np, res.x[:ng], xi, g, y, args.lam)
    print(json.dumps(out))


def build(np, sp, x, y, lam):
    """Returns the LP (c, A_eq, b_eq, bounds) in the variables
    [z (G), r⁺ (N), r⁻ (N), a⁺ (G−2), a⁻ (G−2)], the distinct sorted inputs
    ξ and the group g(n) of each sample."""
    n = len(y)
    xi, g = np.unique(x, return_inverse=True)
    ng = len(xi)
    if ng < 3:
        raise SystemExit("highs_l1.py: need at least 3 distinct inputs, got %d" % ng)
    nk = ng - 2
    h = np.diff(xi)  # > 0
    inv = 1.0 / h

    # Residual rows: z_{g(n)} − r⁺_n + r⁻_n = y_n.
    ar = np.arange(n)
    rows = [ar, ar, ar]
    cols = [g, ng + ar, ng + n + ar]
    vals = [np.ones(n), -np.ones(n), np.ones(n)]
    # Knot rows: s_{k+1} − s_k = z_k/h_k − z_{k+1}(1/h_k + 1/h_{k+1}) + z_{k+2}/h_{k+1}.
    ak = np.arange(nk)
    r = n + ak
    rows += [r, r, r, r, r]
    cols += [ak, ak + 1, ak + 2, ng + 2 * n + ak, ng + 2 * n + nk + ak]
    vals += [inv[:-1], -(inv[:-1] + inv[1:]), inv[1:], -np.ones(nk), np.ones(nk)]
    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n + nk, ng + 2 * n + 2 * nk),
    )
    b = np.concatenate([y, np.zeros(nk)])
    c = np.concatenate([np.zeros(ng), np.ones(2 * n), np.full(2 * nk, lam)])
    bounds = np.zeros((A.shape[1], 2))
    bounds[:ng] = (-np.inf, np.inf)
    bounds[ng:, 1] = np.inf
    return c, A, b, bounds, xi, g


def recompute(np, z, xi, g, y, lam):
    """J(f) for the piecewise-linear f through (ξ_k, z_k), from z alone."""
    s = np.diff(z) / np.diff(xi)
    return float(np.sum(np.abs(z[g] - y)) + lam * np.sum(np.abs(np.diff(s))))


class CLog:
    """Captures what C code writes to file descriptor 1 (HiGHS's log) in
    .text, for the duration of a with block."""

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        self.f = tempfile.TemporaryFile(mode="w+b")
        os.dup2(self.f.fileno(), 1)
        self.text = ""
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)
        self.f.seek(0)
        self.text = self.f.read().decode("utf-8", "replace")
        self.f.close()
        return False


def parse_log(text):
    """Iteration counts and the interior point's outcome from HiGHS's log:
    HiGHS 1.2 falls back to dual simplex from scratch when its interior
    point solver (IPX) stops without converging."""
    info = {}
    for line in text.splitlines():
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "Simplex   iterations" or key == "Simplex iterations":
            info["simplex_iterations"] = int(val)
        elif key == "IPM       iterations" or key == "IPM iterations":
            info["ipm_iterations"] = int(val)
        elif key == "Status interior point solve":
            info["ipm_status"] = val
        elif key == "Status crossover":
            info["crossover_status"] = val
    return info


def highs_version(linprog):
    """The version HiGHS prints in its banner ("Running HiGHS 1.2.0 …"),
    or "" if not found."""
    try:
        with CLog() as log:
            linprog([1.0], bounds=[(0, 1)], method="highs", options={"disp": True})
    except Exception:
        return ""
    for line in log.text.splitlines():
        if line.startswith("Running HiGHS "):
            return line.split()[2]
    return ""


if __name__ == "__main__":
    main()
