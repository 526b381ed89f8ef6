#!/usr/bin/python3
"""The scikit-learn way to choose a Gaussian mixture: GaussianMixture for every k = 1..G and every
covariance_type (full, tied, diag, spherical), its defaults (k-means start, tol 1e-3), lowest BIC.
    /usr/bin/python3 sklearn_select_bench.py data.csv G reps
Prints the median ms over reps, the chosen covariance type and k, and that run's CPU ms."""
import sys, time, warnings
import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.exceptions import ConvergenceWarning

x = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
G, reps = int(sys.argv[2]), int(sys.argv[3])
times = []
for _ in range(reps):
    t, c = time.perf_counter(), time.process_time()
    best = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for cov in ["full", "tied", "diag", "spherical"]:
            for k in range(1, G + 1):
                bic = GaussianMixture(n_components=k, covariance_type=cov, random_state=0).fit(x).bic(x)
                if best is None or bic < best[0]:
                    best = (bic, cov, k)
    times.append((time.perf_counter() - t, time.process_time() - c))
wall, cpu = sorted(times)[len(times) // 2]
print(f"{wall * 1000:.1f} {best[1]} {best[2]} {cpu * 1000:.1f}")
