# Cross-check of the appraisal (helpers.study.appraisal, helpers.stats.weighting) against R.
# Usage: Rscript appraisal.R COHORT.csv PAIRS.csv OUT.csv
#
# PAIRS.csv: patient_id, pair_id of the matched patients (the matching itself is
# checked against MatchIt in tests/r/matching.R). Everything else is computed here
# from the cohort: the propensity model (glm), the weights of every method with the
# study's stabilisation and truncation rule, effective sample sizes, weighted
# standardised differences, and the Cox models (coxph: weights, robust variance,
# cluster, strata) with their proportional-hazards tests (cox.zph), the weighted
# Kaplan-Meier curves (survfit) with their restricted means (print.survfit's rmean)
# and jackknife influences (resid.survfit), the pair-clustered contrasts of the
# matched sample, the curves standardised from the two Cox models with
# covariates (survfit.coxph with newdata), and the augmented IPW estimates on
# pseudo-observations (pseudo, lm) of every estimator. Writes key,value rows.
suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "")
pairs <- read.csv(args[2], stringsAsFactors = FALSE)
out <- list()
put <- function(key, value) out[[key]] <<- unname(value)

# Table 1 categories, with the cut-offs of helpers.study.cohort.derive_categories
d$male <- as.integer(d$sex == "male")
d$age_ge65 <- as.integer(d$age >= 65)
d$ecog_ge2 <- as.integer(d$ecog >= 2)
d$sites_ge3 <- as.integer(d$n_metastatic_sites >= 3)
d$first_line_pfs_ge6 <- as.integer(d$first_line_pfs_months >= 6)
d$treated <- as.integer(d$group == "2L-ICIs")
vars <- c("male", "age_ge65", "smoker", "ecog_ge2", "lung_met", "bone_met", "brain_met",
          "liver_met", "sites_ge3", "first_line_ici", "first_line_pfs_ge6")

# --- propensity model -------------------------------------------------------------
ps_fit <- glm(as.formula(paste("treated ~", paste(vars, collapse = " + "))), data = d, family = binomial)
cf <- coef(summary(ps_fit))
for (i in seq_len(nrow(cf))) {
  term <- if (rownames(cf)[i] == "(Intercept)") "intercept" else rownames(cf)[i]
  put(sprintf("ps.coef.%s", term), cf[i, 1])
  put(sprintf("ps.se.%s", term), cf[i, 2])
}
e <- fitted(ps_fit)
t <- d$treated
p <- mean(t)

# --- weights: ATE and ATT stabilised and truncated at the 1st/99th percentiles; overlap as is
truncate <- function(w, tag) {
  q <- quantile(w, c(0.01, 0.99), type = 7, names = FALSE)
  put(sprintf("w.%s.trunc_lower", tag), q[1])
  put(sprintf("w.%s.trunc_upper", tag), q[2])
  put(sprintf("w.%s.n_below", tag), sum(w < q[1]))
  put(sprintf("w.%s.n_above", tag), sum(w > q[2]))
  pmin(pmax(w, q[1]), q[2])
}
W <- list(
  iptw_ate = truncate(ifelse(t == 1, p / e, (1 - p) / (1 - e)), "iptw_ate"),
  iptw_att = truncate(ifelse(t == 1, 1, (1 - p) / p * e / (1 - e)), "iptw_att"),
  overlap = ifelse(t == 1, 1 - e, e)
)
ess <- function(w) sum(w)^2 / sum(w^2)
wsmd <- function(x, t, w) {
  m1 <- weighted.mean(x[t == 1], w[t == 1]); m0 <- weighted.mean(x[t == 0], w[t == 0])
  v1 <- sum(w[t == 1] * (x[t == 1] - m1)^2) / sum(w[t == 1])
  v0 <- sum(w[t == 0] * (x[t == 0] - m0)^2) / sum(w[t == 0])
  (m1 - m0) / sqrt((v1 + v0) / 2)
}
for (m in names(W)) {
  w <- W[[m]]
  for (arm in c("treated", "control")) {
    a <- if (arm == "treated") t == 1 else t == 0
    put(sprintf("w.%s.%s.sum", m, arm), sum(w[a]))
    put(sprintf("w.%s.%s.max", m, arm), max(w[a]))
    put(sprintf("w.%s.%s.ess", m, arm), ess(w[a]))
  }
  for (v in vars) put(sprintf("smd.%s.%s", m, v), wsmd(d[[v]], t, w))
}

# --- the treated the matching dropped against those it kept
d <- merge(d, pairs, by = "patient_id", all.x = TRUE, sort = FALSE)
d <- d[order(match(d$patient_id, read.csv(args[1], stringsAsFactors = FALSE)$patient_id)), ]
tr <- d[d$treated == 1, ]
unmatched <- as.integer(is.na(tr$pair_id))
for (v in vars) put(sprintf("smd.unmatched.%s", v), wsmd(tr[[v]], unmatched, rep(1, nrow(tr))))
m <- d[!is.na(d$pair_id), ]

# --- Cox models, Breslow ties as helpers.stats.cox's default
hr <- function(fit, key) {
  s <- summary(fit)
  se_col <- if ("robust se" %in% colnames(s$coefficients)) "robust se" else "se(coef)"
  put(sprintf("%s.hr", key), s$conf.int["treated", 1])
  put(sprintf("%s.ci_lower", key), s$conf.int["treated", 3])
  put(sprintf("%s.ci_upper", key), s$conf.int["treated", 4])
  put(sprintf("%s.se", key), s$coefficients["treated", se_col])
  put(sprintf("%s.p", key), s$coefficients["treated", ncol(s$coefficients)])
  # the exact proportional-hazards score test of the treatment term (cox.zph, survival >= 3.0)
  put(sprintf("%s.ph_p", key), cox.zph(fit)$table["treated", "p"])
  invisible(fit)
}
# regression standardisation: average predicted S(t) over all patients with treated set to 1, then 0
standardise <- function(fit, data, key) {
  for (arm in c(1, 0)) {
    nd <- data
    nd$treated <- arm
    sf <- survfit(fit, newdata = nd, se.fit = FALSE)
    s <- rowMeans(sf$surv)
    at <- function(x) { i <- findInterval(x, sf$time); if (i == 0) 1 else s[i] }
    for (x in c(6, 12)) put(sprintf("%s.std.%d.surv_%g", key, arm, x), at(x))
    for (tau in c(12, 24)) {
      k <- sf$time <= tau
      put(sprintf("%s.std.%d.rmst_%g", key, arm, tau), sum(diff(c(0, sf$time[k], tau)) * c(1, s[k])))
    }
  }
}
adj <- paste(c("treated", vars), collapse = " + ")
for (ep in c("pfs", "os")) {
  S <- function(data) Surv(data[[paste0(ep, "_months")]], data[[paste0(ep, "_event")]])
  d$.y <- S(d)
  m$.y <- S(m)
  hr(coxph(.y ~ treated, data = d, ties = "breslow"), sprintf("%s.crude", ep))
  hr(coxph(.y ~ treated, data = m, ties = "breslow"), sprintf("%s.psm", ep))
  hr(coxph(.y ~ treated, data = m, ties = "breslow", cluster = pair_id), sprintf("%s.psm_robust", ep))
  hr(coxph(.y ~ treated + strata(pair_id), data = m, ties = "breslow"), sprintf("%s.psm_stratified", ep))
  fit <- hr(coxph(as.formula(paste(".y ~", adj)), data = d, ties = "breslow"), sprintf("%s.multivariable", ep))
  standardise(fit, d, sprintf("%s.multivariable", ep))
  for (mm in names(W)) {
    d$.w <- W[[mm]]
    hr(coxph(.y ~ treated, data = d, weights = .w, robust = TRUE, ties = "breslow"), sprintf("%s.%s", ep, mm))
  }
  d$.w <- W$iptw_ate
  fit <- hr(coxph(as.formula(paste(".y ~", adj)), data = d, weights = .w, robust = TRUE, ties = "breslow"),
            sprintf("%s.iptw_adjusted", ep))
  standardise(fit, d, sprintf("%s.iptw_adjusted", ep))
  # doubly robust: augmented IPW on pseudo-observations (pseudo() of each arm's survfit), the outcome
  # model a linear regression (lm) of the pseudo-values on the covariates within each arm, the
  # propensity the glm's fitted values as they are
  X <- model.matrix(as.formula(paste("~", paste(vars, collapse = " + "))), data = d)
  Y <- matrix(NA_real_, nrow(d), 4)
  for (arm in c(1, 0)) {
    k <- d$treated == arm
    arm_data <- d[k, ]
    fit <- survfit(.y ~ 1, data = arm_data)
    Y[k, ] <- cbind(pseudo(fit, times = c(6, 12), type = "surv"), pseudo(fit, times = c(12, 24), type = "rmst"))
  }
  aipw <- list()
  for (arm in c(1, 0)) {
    k <- d$treated == arm
    beta <- coef(lm(Y[k, ] ~ X[k, -1]))
    pred <- X %*% beta
    pa <- if (arm == 1) e else 1 - e
    term <- pred + k * (Y - pred) / pa
    mu <- colMeans(term)
    aipw[[as.character(arm)]] <- list(mu = mu, phi = sweep(term, 2, mu))
    names_q <- c("surv_6", "surv_12", "rmst_12", "rmst_24")
    for (j in 1:4) put(sprintf("%s.aipw.%d.%s", ep, arm, names_q[j]), mu[j])
  }
  n <- nrow(d)
  a1 <- aipw[["1"]]
  a0 <- aipw[["0"]]
  diff_se <- sqrt(colSums((a1$phi - a0$phi)^2)) / n
  for (j in 1:2) put(sprintf("%s.aipw.surv_diff_se_%g", ep, c(6, 12)[j]), diff_se[j])
  for (j in 3:4) {
    tau <- c(12, 24)[j - 2]
    put(sprintf("%s.aipw.rmst_diff_se_%g", ep, tau), diff_se[j])
    put(sprintf("%s.aipw.rmst_ratio_se_%g", ep, tau),
        sqrt(sum((a1$phi[, j] / a1$mu[j] - a0$phi[, j] / a0$mu[j])^2)) / n)
  }
  # Kaplan-Meier curves (weighted for the weighting methods) and restricted means per arm
  curves <- list(crude = list(data = d, w = NULL), psm = list(data = m, w = NULL))
  for (mm in names(W)) curves[[mm]] <- list(data = d, w = W[[mm]])
  for (cn in names(curves)) {
    cd <- curves[[cn]]$data
    cd$.w <- if (is.null(curves[[cn]]$w)) rep(1, nrow(cd)) else curves[[cn]]$w
    for (arm in c(1, 0)) {
      # (not "sub": resid.survfit re-evaluates the call's data from the survival namespace, where
      # "sub" would be base::sub)
      arm_data <- cd[cd$treated == arm, ]
      fit <- if (is.null(curves[[cn]]$w)) {
        survfit(.y ~ 1, data = arm_data)
      } else {
        survfit(.y ~ 1, data = arm_data, weights = .w)
      }
      s <- summary(fit, times = c(6, 12))
      for (i in seq_along(s$time)) {
        put(sprintf("%s.km.%s.%d.surv_%g", ep, cn, arm, s$time[i]), s$surv[i])
        put(sprintf("%s.km.%s.%d.se_%g", ep, cn, arm, s$time[i]), s$std.err[i])
      }
      for (tau in c(12, 24)) {
        tab <- summary(fit, rmean = tau)$table
        put(sprintf("%s.rmst.%s.%d.%g", ep, cn, arm, tau), tab[["rmean"]])
        put(sprintf("%s.rmst_se.%s.%d.%g", ep, cn, arm, tau), tab[["se(rmean)"]])
        # infinitesimal-jackknife (robust) SE of the restricted mean: its influences, weights included
        ij <- resid(fit, times = tau, type = "auc", weighted = TRUE)
        put(sprintf("%s.rmst_ij_se.%s.%d.%g", ep, cn, arm, tau), sqrt(sum(ij^2)))
      }
    }
  }
  # the matched pairs: contrasts whose influences are summed within each pair before squaring
  infl <- list()
  for (arm in c(1, 0)) {
    arm_data <- m[m$treated == arm, ]
    fit <- survfit(.y ~ 1, data = arm_data)
    infl[[as.character(arm)]] <- list(
      pair = arm_data$pair_id,
      surv = resid(fit, times = c(6, 12), type = "pstate"),
      rmst = resid(fit, times = c(12, 24), type = "auc"),
      mu = sapply(c(12, 24), function(tau) summary(fit, rmean = tau)$table[["rmean"]])
    )
  }
  t1 <- infl[["1"]]
  t0 <- infl[["0"]]
  paired_se <- function(x1, x0) sqrt(colSums(rowsum(rbind(x1, -x0), c(t1$pair, t0$pair))^2))
  se <- paired_se(t1$surv, t0$surv)
  for (i in 1:2) put(sprintf("%s.pair.surv_diff_se_%g", ep, c(6, 12)[i]), se[i])
  se <- paired_se(t1$rmst, t0$rmst)
  for (i in 1:2) put(sprintf("%s.pair.rmst_diff_se_%g", ep, c(12, 24)[i]), se[i])
  se <- paired_se(sweep(t1$rmst, 2, t1$mu, "/"), sweep(t0$rmst, 2, t0$mu, "/"))
  for (i in 1:2) put(sprintf("%s.pair.rmst_ratio_se_%g", ep, c(12, 24)[i]), se[i])
}

res <- data.frame(key = names(out), value = formatC(unlist(out), digits = 15, format = "g"))
write.csv(res, args[3], row.names = FALSE, quote = FALSE)
