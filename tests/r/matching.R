# Cross-check of helpers.matching against R: glm() for the propensity model and
# MatchIt::matchit(method = "nearest") for greedy 1:1 matching.
#
# Usage: Rscript tests/r/matching.R <input.csv> <output-dir> [caliper] [m.order]
#
# <input.csv> columns: row_id, treated (0/1), score (the Python propensity
# score as a C99 hexadecimal float, so that R reads exactly the same double),
# and any number of 0/1 covariates. caliper defaults to 0.02 (on the score
# scale, std.caliper = FALSE), m.order to "largest".
#
# Writes to <output-dir>:
#   pairs_given.csv   treated_id, control_id: MatchIt on the given scores
#   probe.csv         caliper_ok: does the installed MatchIt honour a caliper
#                     below 1 when called directly (see the note below)?
# and, when covariates are present,
#   coefficients.csv  term, estimate, std_error: glm(treated ~ covariates, binomial)
#   scores_glm.csv    row_id, score: R's fitted probabilities (hexadecimal floats)
#   pairs_glm.csv     treated_id, control_id: MatchIt on R's own glm scores
#
# Note on MatchIt 4.5.1 (the version installed here): its C++ routine for
# nearest-neighbour matching on a distance vector (nn_matchC_vec) takes
# `abs()` of a difference of doubles, which on this build resolves to the
# integer abs(): every |difference| below 1 becomes 0. A caliper of 0.02 on
# probabilities is then never applied, and the choice between the nearest
# control below and above a treated unit always falls to the one below.
# MatchIt's NEWS for a later release records the fix ("calipers would not
# work properly on some systems", #163). To compare algorithms rather than
# this build defect, scores and caliper are multiplied by 2^30 before calling
# matchit(): scaling by a power of two is exact, keeps the order and the ties,
# and leaves the truncation a resolution of 2^-30 (about 1e-9) on the score
# scale. With a correct MatchIt the scaling changes nothing.
# Only base R and MatchIt are used.

suppressPackageStartupMessages(library(MatchIt))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript matching.R <input.csv> <output-dir> [caliper] [m.order]")
input <- args[[1]]
outdir <- args[[2]]
caliper <- if (length(args) >= 3) as.numeric(args[[3]]) else 0.02
m_order <- if (length(args) >= 4) args[[4]] else "largest"
scale <- 2^30

data <- read.csv(input, colClasses = c(score = "character"))
data$score <- as.numeric(data$score)  # hexadecimal floats are read exactly
rownames(data) <- as.character(data$row_id)
covariates <- setdiff(names(data), c("row_id", "treated", "score"))
rhs <- if (length(covariates)) paste(covariates, collapse = " + ") else "score"
form <- as.formula(paste("treated ~", rhs))

match_on <- function(score) {
  m <- matchit(form, data = data, method = "nearest", distance = score * scale,
               caliper = caliper * scale, std.caliper = FALSE, m.order = m_order,
               replace = FALSE, ratio = 1)
  mm <- m$match.matrix
  keep <- !is.na(mm[, 1])
  data.frame(treated_id = rownames(mm)[keep], control_id = mm[keep, 1])
}

# does this MatchIt apply a caliper of 0.02 to a pair 0.2 apart? (it should not match)
probe_data <- data.frame(treated = c(1, 0, 0), x = c(0.5, 0.3, 0.9), z = c(1, 2, 3))
probe <- matchit(treated ~ z, data = probe_data, method = "nearest", distance = probe_data$x,
                 caliper = 0.02, std.caliper = FALSE)
write.csv(data.frame(caliper_ok = is.na(probe$match.matrix[1, 1])),
          file.path(outdir, "probe.csv"), row.names = FALSE)

write.csv(match_on(data$score), file.path(outdir, "pairs_given.csv"), row.names = FALSE)

if (length(covariates)) {
  fit <- glm(form, data = data, family = binomial())
  tab <- summary(fit)$coefficients
  coefs <- data.frame(term = rownames(tab),
                      estimate = sprintf("%.17g", tab[, "Estimate"]),
                      std_error = sprintf("%.17g", tab[, "Std. Error"]))
  write.csv(coefs, file.path(outdir, "coefficients.csv"), row.names = FALSE)
  write.csv(data.frame(row_id = data$row_id, score = sprintf("%a", fitted(fit))),
            file.path(outdir, "scores_glm.csv"), row.names = FALSE)
  write.csv(match_on(unname(fitted(fit))), file.path(outdir, "pairs_glm.csv"), row.names = FALSE)
}
