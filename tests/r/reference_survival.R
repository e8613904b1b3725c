# Reference values for helpers.stats (survival, rmst, contingency) from R, on datasets that
# ship with R's survival and MatchIt packages. Reads nothing from the internet.
# Usage: Rscript reference_survival.R OUTDIR
# Writes into OUTDIR:
#   data_<id>.csv   the data of each survival analysis: time, event (0/1), group[, strata][, weight]
#   km.csv          id, group, time, surv, se (of S), lower, upper (log-log 95% band) at each event time
#   medians.csv     id, group, median, loglog_lower, loglog_upper, sym_se, sym_lower, sym_upper
#   logrank.csv     id, chisq, df, p
#   rmst.csv        id, group, tau, rmean, se
#   fisher.csv      id, table (rows ";"-separated, cells ","), p
# Numbers are written with 17 significant digits; NA means "not estimable" / "not reached".
suppressPackageStartupMessages({
  library(survival)
  library(MatchIt)
})

args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
fmt <- function(x) ifelse(is.na(x), NA, trimws(formatC(x, digits = 17, format = "g")))
write_rows <- function(frame, name) {
  for (col in names(frame)) if (is.numeric(frame[[col]])) frame[[col]] <- fmt(frame[[col]])
  write.csv(frame, file.path(out, name), row.names = FALSE, na = "NA")
}

# --- the analyses ----------------------------------------------------------------
studies <- list()
add <- function(id, time, event, group, strata = NULL, weight = NULL, tau = NA) {
  d <- data.frame(time = time, event = as.integer(event), group = as.character(group))
  if (!is.null(strata)) d$strata <- as.character(strata)
  if (!is.null(weight)) d$weight <- weight
  studies[[id]] <<- list(data = d, tau = tau)
}
add("lung_sex", lung$time, lung$status - 1, lung$sex, tau = 700)
add("veteran_celltype", veteran$time, veteran$status, veteran$celltype, tau = 400)
add("veteran_trt_by_celltype", veteran$time, veteran$status, veteran$trt, strata = veteran$celltype, tau = 400)
add("ovarian_rx", ovarian$futime, ovarian$fustat, ovarian$rx, tau = 700)
deaths <- colon[colon$etype == 2, ]
add("colon_rx", deaths$time, deaths$status, deaths$rx, tau = 2000)
add("pbc_trt", pbc$time, as.integer(pbc$status == 2), pbc$trt, tau = 3000) # trt is NA for 106 patients
add("aml_x", aml$time, aml$status, aml$x, tau = 40)
# administrative censoring at 180 days: medians not reached, lower limits still estimable
add("lung_admin180", pmin(lung$time, 180), as.integer(lung$status == 2 & lung$time <= 180), lung$sex, tau = 180)
# case weights: whole numbers (Greenwood on weighted counts) and fractional (robust variance)
idx <- seq_len(nrow(lung))
add("lung_wint", lung$time, lung$status - 1, lung$sex, weight = c(1, 2, 3)[idx %% 3 + 1], tau = 700)
add("lung_wfrac", lung$time, lung$status - 1, lung$sex, weight = c(0.5, 1, 1.5, 2.25)[idx %% 4 + 1], tau = 700)

# the SPSS-style symmetric interval of the median, computed here from its definition
symmetric <- function(tt, s, se, med, z) {
  if (is.na(med)) return(c(NA, NA, NA))
  upper_side <- which(s >= 0.55 - 1e-12)
  lower_side <- which(s <= 0.45 + 1e-12)
  if (length(lower_side) == 0) return(c(NA, NA, NA))
  if (length(upper_side)) { u <- tt[max(upper_side)]; su <- s[max(upper_side)] } else { u <- 0; su <- 1 }
  l <- tt[min(lower_side)]; sl <- s[min(lower_side)]
  sem <- se[tt == med] / ((su - sl) / (l - u))
  if (is.na(sem)) return(c(NA, NA, NA))
  c(sem, max(0, med - z * sem), med + z * sem)
}

km_rows <- list(); med_rows <- list(); lr_rows <- list(); rm_rows <- list()
for (id in names(studies)) {
  d <- studies[[id]]$data
  write.csv(d, file.path(out, paste0("data_", id, ".csv")), row.names = FALSE, na = "")
  d <- d[!is.na(d$group), ]
  w <- if (is.null(d$weight)) rep(1, nrow(d)) else d$weight
  for (g in sort(unique(d$group))) {
    m <- d$group == g
    fit <- if (is.null(d$weight)) {
      survfit(Surv(d$time[m], d$event[m]) ~ 1, conf.type = "log-log")
    } else {
      survfit(Surv(d$time[m], d$event[m]) ~ 1, weights = w[m], conf.type = "log-log")
    }
    s <- summary(fit) # event times only; std.err is the SE of S
    km_rows[[length(km_rows) + 1]] <- data.frame(id = id, group = g, time = s$time, surv = s$surv,
                                                 se = s$std.err, lower = s$lower, upper = s$upper)
    below <- s$time[s$surv <= 0.5 + 1e-12]
    med <- if (length(below)) min(below) else NA # first time with S <= 0.5 (no averaging)
    tab <- summary(fit, rmean = studies[[id]]$tau)$table
    sym <- symmetric(s$time, s$surv, s$std.err, med, qnorm(0.975))
    med_rows[[length(med_rows) + 1]] <- data.frame(id = id, group = g, median = med,
      loglog_lower = unname(tab["0.95LCL"]), loglog_upper = unname(tab["0.95UCL"]),
      sym_se = sym[1], sym_lower = sym[2], sym_upper = sym[3])
    rm_rows[[length(rm_rows) + 1]] <- data.frame(id = id, group = g, tau = studies[[id]]$tau,
      rmean = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
  }
  # log-rank: survdiff takes no weights; whole-number weights are the rows repeated
  if (is.null(d$weight) || all(d$weight == round(d$weight))) {
    e <- d[rep(seq_len(nrow(d)), w), ]
    lr <- if (is.null(e$strata)) survdiff(Surv(time, event) ~ group, data = e)
          else survdiff(Surv(time, event) ~ group + strata(strata), data = e)
    df <- sum(lr$exp > 0) - 1
    if (!is.null(e$strata)) df <- length(unique(e$group)) - 1
    lr_rows[[length(lr_rows) + 1]] <- data.frame(id = id, chisq = lr$chisq, df = df,
      p = pchisq(lr$chisq, df, lower.tail = FALSE))
  }
}
write_rows(do.call(rbind, km_rows), "km.csv")
write_rows(do.call(rbind, med_rows), "medians.csv")
write_rows(do.call(rbind, lr_rows), "logrank.csv")
write_rows(do.call(rbind, rm_rows), "rmst.csv")

# --- Fisher's exact test on 2x2 and r x c tables --------------------------------------
data("lalonde", package = "MatchIt")
educ <- cut(lalonde$educ, c(-Inf, 8, 11, 12, Inf), labels = c("<9", "9-11", "12", ">12"))
tables <- list(
  lalonde_married_treat = table(lalonde$married, lalonde$treat),
  lalonde_nodegree_treat = table(lalonde$nodegree, lalonde$treat),
  lalonde_race_treat = table(lalonde$race, lalonde$treat),
  lalonde_educ_treat = table(educ, lalonde$treat),
  lalonde_race_married = table(lalonde$race, lalonde$married),
  lalonde_treated_race_educ = table(lalonde$race[lalonde$treat == 1], educ[lalonde$treat == 1]),
  veteran_celltype_trt = table(veteran$celltype, veteran$trt),
  veteran_celltype_prior = table(veteran$celltype, veteran$prior),
  pbc_stage_trt = table(pbc$stage, pbc$trt),
  ovarian_resid_ecog = table(ovarian$resid.ds, ovarian$ecog.ps)
)
fi <- lapply(names(tables), function(id) {
  tb <- unclass(tables[[id]])
  cells <- paste(apply(tb, 1, paste, collapse = ","), collapse = ";")
  data.frame(id = id, table = cells, p = fisher.test(tb, workspace = 2e8)$p.value)
})
write_rows(do.call(rbind, fi), "fisher.csv")
