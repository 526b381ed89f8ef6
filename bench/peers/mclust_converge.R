# mclust's em() run to convergence on the benchmark's data (written by bench/wholejob.mjs), from the
# given start, for the whole-job rows: model "V" (d = 1) or "VVV". mclust stops when
# |l - l_old| / (1 + |l|) < tol (l the total log-likelihood; its Fortran me* loops); the caller
# passes tol = 1e-10 · n / (1 + |l|) with l from mixem's fit, i.e. mixem's rule at that l.
#   Rscript mclust_converge.R data.f64 n d k start.f64 tol reps
# start.f64: weights (k), means (k·d), covariances (k·d·d). Prints "seconds iterations loglik cpu_seconds" (the fastest run; CPU = user + system).
suppressPackageStartupMessages(library(mclust))
a <- commandArgs(TRUE)
n <- as.integer(a[2]); d <- as.integer(a[3]); k <- as.integer(a[4])
tol <- as.numeric(a[6]); reps <- as.integer(a[7])
x <- readBin(a[1], "double", n * d)
s <- readBin(a[5], "double", k + k * d + k * d * d)
w <- s[1:k]; mu <- matrix(s[(k + 1):(k + k * d)], nrow = d)
sig <- array(s[(k + k * d + 1):length(s)], c(d, d, k))
if (d == 1) {
  model <- "V"; data <- x
  par <- list(pro = w, mean = as.vector(mu), variance = list(modelName = "V", d = 1, G = k, sigmasq = as.vector(sig)))
} else {
  model <- "VVV"; data <- matrix(x, ncol = d, byrow = TRUE)
  chol3 <- array(0, c(d, d, k)); for (j in 1:k) chol3[, , j] <- chol(sig[, , j])
  par <- list(pro = w, mean = mu, variance = list(modelName = "VVV", d = d, G = k, sigma = sig, cholsigma = chol3))
}
best <- Inf; cpu <- NA
for (r in seq_len(reps)) {
  t <- system.time(f <- em(modelName = model, data = data, parameters = par, control = emControl(tol = c(tol, sqrt(.Machine$double.eps)), itmax = c(1000000L, 1000000L))))
  if (t[["elapsed"]] < best) { best <- t[["elapsed"]]; cpu <- t[["user.self"]] + t[["sys.self"]] }
}
cat(sprintf("%.4f %d %.10f %.4f\n", best, as.integer(abs(attr(f, "info")[["iterations"]])), f$loglik, cpu))
