#!/usr/bin/python3
"""scikit-learn's GaussianMixture on the benchmark's data (written by bench/run.mjs), from the same
initial parameters. Per-iteration time = (t(max_iter = a + m) − t(max_iter = a)) / m, which removes
the set-up; tol = 0 so every iteration runs. Prints "ms_per_iteration".
    /usr/bin/python3 sklearn_bench.py data.f64 n d k covariance init.json"""
import json, sys, time, warnings
import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.exceptions import ConvergenceWarning

path, n, d, k, cov, init = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], json.load(open(sys.argv[6]))
x = np.fromfile(path, dtype=np.float64, count=n * d).reshape(n, d)
means = np.array(init["means"]).reshape(k, d)
var = np.array(init["variances"]).reshape(k, d)
prec = np.array([np.diag(1 / v) for v in var]) if cov == "full" else 1 / var

def run(iters):
    gm = GaussianMixture(n_components=k, covariance_type=cov, tol=0.0, reg_covar=0.0, max_iter=iters,
                         weights_init=np.array(init["weights"]), means_init=means, precisions_init=prec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t = time.perf_counter(); gm.fit(x); elapsed = time.perf_counter() - t
    assert gm.n_iter_ == iters, f"scikit-learn ran {gm.n_iter_} iterations, not {iters}"
    return elapsed

run(1)
a, m = 2, int(sys.argv[7]) if len(sys.argv) > 7 else 8
print(f"{(min(run(a + m) for _ in range(2)) - min(run(a) for _ in range(2))) / m * 1000:.4f}")
