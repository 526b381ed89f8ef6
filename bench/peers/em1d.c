/* The 1-D EM loop in C, for the benchmark: the textbook fused pass (an exp per component, a log
 * per point) over Gaussian, Poisson or binomial data, from given parameters, timed per iteration.
 *   cc -O3 em1d.c -lm -o em1d          (strict)
 *   cc -O3 -ffast-math -march=native em1d.c -lm -o em1d_fast
 *   ./em1d family data.f64 n k iterations params...
 * family: gaussian (params: means…, variances…, weights…), poisson (lambdas…, weights…),
 * binomial (trials, p…, weights…). Prints the median ms per iteration and the final
 * log-likelihood without per-point constants.
 * EM1D_TOL=t (environment): stop when the log-likelihood per point changes by less than t between
 * passes (mixem's and scikit-learn's rule); the output then adds the iterations run, the total ms and the CPU ms. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
  if (argc < 6) { fprintf(stderr, "usage: em1d family file n k iterations params...\n"); return 2; }
  const char *family = argv[1];
  long n = atol(argv[3]); int k = atoi(argv[4]), iters = atoi(argv[5]);
  double *x = malloc(n * sizeof *x);
  FILE *f = fopen(argv[2], "rb");
  if (!f || fread(x, sizeof *x, n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", argv[2]); return 2; }
  fclose(f);
  int g = !strcmp(family, "gaussian"), p = !strcmp(family, "poisson");
  double mean[64], var[64], w[64], lam[64], prob[64], trials = 0;
  int a = 6;
  if (g) { for (int j = 0; j < k; j++) mean[j] = atof(argv[a++]); for (int j = 0; j < k; j++) var[j] = atof(argv[a++]); }
  else if (p) { for (int j = 0; j < k; j++) lam[j] = atof(argv[a++]); }
  else { trials = atof(argv[a++]); for (int j = 0; j < k; j++) prob[j] = atof(argv[a++]); }
  for (int j = 0; j < k; j++) w[j] = atof(argv[a++]);
  double c[64], b[64], s0[64], s1[64], s2[64], lp[64], ll = 0, *times = malloc(iters * sizeof *times);
  const char *tolEnv = getenv("EM1D_TOL");
  double tol = tolEnv ? atof(tolEnv) : 0, prev = NAN, begin = now_ms();
  clock_t cpu0 = clock();
  int done = iters;
  for (int it = 0; it < iters; it++) {
    double t0 = now_ms();
    for (int j = 0; j < k; j++) {
      if (g) { b[j] = -0.5 / var[j]; c[j] = log(w[j]) - 0.5 * log(2 * M_PI * var[j]); }
      else if (p) { b[j] = log(lam[j]); c[j] = log(w[j]) - lam[j]; }
      else { b[j] = log(prob[j] / (1 - prob[j])); c[j] = log(w[j]) + trials * log1p(-prob[j]); }
      s0[j] = s1[j] = s2[j] = 0;
    }
    ll = 0;
    for (long i = 0; i < n; i++) {
      double xi = x[i], m = -INFINITY, s = 0;
      for (int j = 0; j < k; j++) {
        double v = g ? c[j] + b[j] * (xi - mean[j]) * (xi - mean[j]) : c[j] + xi * b[j];
        lp[j] = v; if (v > m) m = v;
      }
      for (int j = 0; j < k; j++) { lp[j] = exp(lp[j] - m); s += lp[j]; }
      ll += m + log(s);
      double inv = 1 / s;
      for (int j = 0; j < k; j++) { double r = lp[j] * inv, d = g ? xi - mean[j] : xi; s0[j] += r; s1[j] += r * d; s2[j] += r * d * d; }
    }
    if (tol > 0 && fabs(ll - prev) < tol * n) { times[it] = now_ms() - t0; done = it + 1; break; } // converged: no M-step
    prev = ll;
    for (int j = 0; j < k; j++) {
      w[j] = s0[j] / n;
      if (g) { double sh = s1[j] / s0[j]; mean[j] += sh; var[j] = s2[j] / s0[j] - sh * sh; }
      else if (p) lam[j] = s1[j] / s0[j];
      else prob[j] = s1[j] / (trials * s0[j]);
    }
    times[it] = now_ms() - t0;
  }
  double total = now_ms() - begin;
  qsort(times, done, sizeof *times, cmp);
  if (tol > 0) printf("%.4f %.10g %d %.3f %.3f\n", times[done / 2], ll, done, total, (clock() - cpu0) * 1e3 / CLOCKS_PER_SEC);
  else printf("%.4f %.10g\n", times[iters / 2], ll);
  return 0;
}
