# R's Mclust() on a CSV's numeric columns, the whole selection (hc start, every G and model), timed:
#   Rscript mclust_select_bench.R data.csv G models reps [cpu]
# models: comma-separated mclust names, or "all" (mclust's default 14). Prints the median ms, and
# the chosen model and G, then the median CPU ms (user + system: the work, less sensitive to a busy
# machine than the wall time).
suppressPackageStartupMessages(library(mclust))
a <- commandArgs(TRUE)
x <- as.matrix(read.csv(a[1]))
x <- x[, sapply(seq_len(ncol(x)), function(j) is.numeric(x[, j])), drop = FALSE]
G <- seq_len(as.integer(a[2]))
models <- if (a[3] == "all") NULL else strsplit(a[3], ",")[[1]]
reps <- as.integer(a[4])
m <- NULL
times <- sapply(seq_len(reps), function(i) { s <- system.time(m <<- Mclust(x, G = G, modelNames = models, verbose = FALSE)); c(s[["elapsed"]], s[["user.self"]] + s[["sys.self"]]) })
cat(median(times[1, ]) * 1000, m$modelName, m$G, median(times[2, ]) * 1000, "\n")
