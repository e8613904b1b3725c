# Cross-check of helpers.survival and helpers.cox against R's survival package.
# Usage: Rscript survival_cox.R COHORT.csv OUT.csv
# Writes one row per quantity: key,value (full precision). The Python test
# computes the same keys and compares them.
suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "")
out <- list()
put <- function(key, value) out[[key]] <<- unname(value)

# Table 1 categories, with the cut-offs of helpers.cohort.derive_categories
d$male <- as.integer(d$sex == "male")
d$age_ge65 <- as.integer(d$age >= 65)
d$ecog_ge2 <- as.integer(d$ecog >= 2)
d$sites_ge3 <- as.integer(d$n_metastatic_sites >= 3)
d$first_line_pfs_ge6 <- as.integer(d$first_line_pfs_months >= 6)
d$treated <- as.integer(d$group == "2L-ICIs")
vars <- c("male", "age_ge65", "smoker", "ecog_ge2", "lung_met", "bone_met", "brain_met",
          "liver_met", "sites_ge3", "first_line_ici", "first_line_pfs_ge6")

for (ep in c("pfs", "os")) {
  tt <- d[[paste0(ep, "_months")]]
  ev <- d[[paste0(ep, "_event")]]
  for (g in c("2L-ICIs", "2L-non-ICIs")) {
    m <- d$group == g
    fit <- survfit(Surv(tt[m], ev[m]) ~ 1, conf.type = "log-log")
    q <- quantile(fit, probs = 0.5)
    # R averages the two candidate times when S(t) sits exactly at 0.5; the SPSS
    # convention (and helpers.survival) takes the first time with S(t) <= 0.5.
    put(sprintf("%s.%s.median_r", ep, g), q$quantile)
    put(sprintf("%s.%s.median", ep, g), min(fit$time[fit$surv <= 0.5 + 1e-12]))
    put(sprintf("%s.%s.median_loglog_lower", ep, g), q$lower)
    put(sprintf("%s.%s.median_loglog_upper", ep, g), q$upper)
    s <- summary(fit, times = c(6, 12, 24), extend = TRUE)
    for (i in seq_along(s$time)) {
      put(sprintf("%s.%s.surv_%g", ep, g, s$time[i]), s$surv[i])
      put(sprintf("%s.%s.se_%g", ep, g, s$time[i]), s$std.err[i])
    }
  }
  lr <- survdiff(Surv(tt, ev) ~ d$group)
  put(sprintf("%s.logrank_chisq", ep), lr$chisq)
  put(sprintf("%s.logrank_p", ep), pchisq(lr$chisq, 1, lower.tail = FALSE))
  for (ties in c("breslow", "efron")) {
    cf <- summary(coxph(Surv(tt, ev) ~ treated, data = d, ties = ties))
    put(sprintf("%s.treated.%s.hr", ep, ties), cf$conf.int[1, 1])
    put(sprintf("%s.treated.%s.ci_lower", ep, ties), cf$conf.int[1, 3])
    put(sprintf("%s.treated.%s.ci_upper", ep, ties), cf$conf.int[1, 4])
    put(sprintf("%s.treated.%s.p", ep, ties), cf$coefficients[1, 5])
  }
  # stratified log-rank within the 2L-ICIs group (Figure 3 style comparisons)
  ici <- d[d$group == "2L-ICIs", ]
  ti <- ici[[paste0(ep, "_months")]]
  ei <- ici[[paste0(ep, "_event")]]
  for (v in c("liver_met", "first_line_pfs_ge6")) {
    lr <- survdiff(Surv(ti, ei) ~ ici[[v]])
    put(sprintf("%s.ici.%s.logrank_p", ep, v), pchisq(lr$chisq, 1, lower.tail = FALSE))
  }
  lr <- survdiff(Surv(tt, ev) ~ d$group + strata(d$liver_met))
  put(sprintf("%s.stratified_by_liver.logrank_p", ep), pchisq(lr$chisq, 1, lower.tail = FALSE))
  # Tables 4-5: univariate and multivariable Cox within 2L-ICIs, Breslow ties (SPSS)
  for (v in vars) {
    cf <- summary(coxph(as.formula(paste("Surv(ti, ei) ~", v)), data = ici, ties = "breslow"))
    put(sprintf("%s.ici.uni.%s.hr", ep, v), cf$conf.int[1, 1])
    put(sprintf("%s.ici.uni.%s.ci_lower", ep, v), cf$conf.int[1, 3])
    put(sprintf("%s.ici.uni.%s.ci_upper", ep, v), cf$conf.int[1, 4])
    put(sprintf("%s.ici.uni.%s.p", ep, v), cf$coefficients[1, 5])
  }
  multi <- c("lung_met", "liver_met", "sites_ge3", "first_line_pfs_ge6")
  cf <- summary(coxph(as.formula(paste("Surv(ti, ei) ~", paste(multi, collapse = "+"))), data = ici, ties = "breslow"))
  for (i in seq_along(multi)) {
    put(sprintf("%s.ici.multi.%s.hr", ep, multi[i]), cf$conf.int[i, 1])
    put(sprintf("%s.ici.multi.%s.p", ep, multi[i]), cf$coefficients[i, 5])
  }
}
# median follow-up by reverse Kaplan-Meier
fu <- survfit(Surv(d$os_months, 1 - d$os_event) ~ 1)
put("followup.reverse_km_median", min(fu$time[fu$surv <= 0.5 + 1e-12]))

res <- data.frame(key = names(out), value = formatC(unlist(out), digits = 15, format = "g"))
write.csv(res, args[2], row.names = FALSE, quote = FALSE)
