# mclust's em() on the benchmark's data (written by bench/run.mjs), from the same initial
# parameters; per-iteration time = (t(itmax = a + m) − t(itmax = a)) / m. Prints ms per iteration.
#   Rscript mclust_bench.R data.f64 n d k covariance init.json [m]
suppressPackageStartupMessages(library(mclust))
a <- commandArgs(TRUE)
n <- as.integer(a[2]); d <- as.integer(a[3]); k <- as.integer(a[4]); cov <- a[5]
x <- readBin(a[1], "double", n * d)
init <- jsonlite_free <- NULL
txt <- paste(readLines(a[6], warn = FALSE), collapse = "")
num <- function(key) as.numeric(strsplit(sub(".*?\\[", "", regmatches(txt, regexpr(paste0('"', key, '":\\s*\\[[^]]*\\]'), txt))), "[],\\s]+")[[1]])
weights <- num("weights"); means <- num("means"); variances <- num("variances")
if (d == 1) {
  model <- "V"; data <- x
  par <- list(pro = weights, mean = means, variance = list(modelName = "V", d = 1, G = k, sigmasq = variances))
} else {
  data <- matrix(x, ncol = d, byrow = TRUE)
  model <- if (cov == "full") "VVV" else "VVI"
  sig <- array(0, c(d, d, k)); for (j in 1:k) sig[, , j] <- diag(variances[((j - 1) * d + 1):(j * d)], d)
  mu <- matrix(means, nrow = d)
  par <- if (model == "VVV") list(pro = weights, mean = mu, variance = list(modelName = model, d = d, G = k, sigma = sig, cholsigma = sig))
         else list(pro = weights, mean = mu, variance = list(modelName = model, d = d, G = k, sigma = sig, scale = apply(sig, 3, function(s) prod(diag(s))^(1 / d)), shape = apply(sig, 3, function(s) diag(s) / prod(diag(s))^(1 / d))))
}
# Times a run and counts the iterations mclust actually did (it may stop before itmax).
run <- function(it) {
  t <- system.time(f <- em(modelName = model, data = data, parameters = par, control = emControl(tol = c(0, 0), itmax = c(it, it))))[["elapsed"]]
  c(t, abs(attr(f, "info")[["iterations"]]))
}
m <- if (length(a) > 6) as.integer(a[7]) else 6
invisible(run(1))
short <- run(2); short2 <- run(2); long <- run(2 + m); long2 <- run(2 + m)
extra <- long[2] - short[2]
if (extra < 1) {
  cat(sprintf("NA %d\n", as.integer(long[2])))   # mclust stopped early: no per-iteration time to measure
} else {
  cat(sprintf("%.4f\n", (min(long[1], long2[1]) - min(short[1], short2[1])) / extra * 1000))
}
