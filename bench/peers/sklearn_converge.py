#!/usr/bin/python3
"""scikit-learn's GaussianMixture run to convergence on the benchmark's data (written by
bench/wholejob.mjs), from the given start, for the whole-job rows. tol is scikit-learn's own: it
stops when lower_bound_ (the mean log-likelihood per point) changes by less than tol — mixem's rule.
init_params="random" only avoids a k-means run whose result the given start then overrides.
    /usr/bin/python3 sklearn_converge.py data.f64 n d k start.f64 tol reg_covar reps
start.f64: weights (k), means (k·d), covariances (k·d·d), float64. Prints JSON: the fastest of reps
runs' wall seconds and its CPU seconds (process_time), n_iter_, converged_, and the total log-likelihood at the final parameters."""
import json, sys, time, warnings
import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.exceptions import ConvergenceWarning

path, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
start = np.fromfile(sys.argv[5], dtype=np.float64)
tol, reg, reps = float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
x = np.fromfile(path, dtype=np.float64, count=n * d).reshape(n, d)
w = start[:k]; means = start[k:k + k * d].reshape(k, d); cov = start[k + k * d:].reshape(k, d, d)
prec = np.array([np.linalg.inv(c) for c in cov])
best = None
cpu = None
for _ in range(reps):
    gm = GaussianMixture(n_components=k, covariance_type="full", tol=tol, reg_covar=reg, max_iter=1_000_000,
                         init_params="random", random_state=0, weights_init=w, means_init=means, precisions_init=prec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t, c = time.perf_counter(), time.process_time(); gm.fit(x); s, cs = time.perf_counter() - t, time.process_time() - c
    if best is None or s < best:
        best, cpu = s, cs
print(json.dumps({"seconds": best, "cpu": cpu, "iterations": int(gm.n_iter_), "converged": bool(gm.converged_), "logLikelihood": float(gm.score(x) * n)}))
