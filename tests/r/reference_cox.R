# Reference values of R's survival package (coxph, cox.zph) for helpers.stats.cox.
#
# Usage: Rscript tests/r/reference_cox.R <output-dir>
#
# Uses only data sets shipped with the survival package (lung, veteran, colon,
# pbc, rats, ovarian, bladder, retinopathy) and reads nothing else. Writes to
# <output-dir>:
#   data_<name>.csv  the columns the models use, numbers at full precision
#                    (%.17g), missing values as empty fields;
#   cases.csv        one row per model: case, data, covariates (space
#                    separated), ties, strata, cluster, weights (column names or
#                    empty), robust (TRUE/FALSE), expect ("fit", "aliased" or
#                    "infinite");
#   results.csv      case, quantity, term, value: coef, se_naive (R's
#                    se(coef)), se (R's robust se when robust, else se(coef)),
#                    loglik, n, events, n_dropped, and for every cox.zph
#                    transform (km, rank, identity, log) zph_<transform> and
#                    zph_<transform>_p per term and GLOBAL; "aliased" and
#                    "infinite" (1) for the terms R reports as NA or warns may be
#                    infinite.
suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript reference_cox.R <output-dir>")
outdir <- args[[1]]

full <- function(frame) {
  for (col in names(frame)) {
    v <- frame[[col]]
    if (is.numeric(v)) frame[[col]] <- ifelse(is.na(v), "", sprintf("%.17g", v))
  }
  frame
}
datasets <- list()
add_data <- function(name, frame) {
  datasets[[name]] <<- frame
  write.csv(full(frame), file.path(outdir, paste0("data_", name, ".csv")), row.names = FALSE, quote = TRUE)
}

# ---- data -------------------------------------------------------------------------------------
i <- seq_len(nrow(lung))
add_data("lung", data.frame(
  time = lung$time, status = lung$status - 1, age = lung$age, sex = lung$sex - 1,
  ph_ecog = lung$ph.ecog, ph_karno = lung$ph.karno, wt_loss = lung$wt.loss, inst = lung$inst,
  w = 0.5 + (i %% 7) / 4, w_int = 1 + i %% 3,
  # a covariate whose level 10 patients all fail before any level 0 patient: monotone likelihood
  sep10 = 10 * (lung$time < 170),
  # a well-estimated covariate on a small scale (coefficient about -30)
  karno_small = lung$ph.karno / 2500,
  # aliased: a linear combination of age and sex
  age_sex = 2 * lung$age - 3 * (lung$sex - 1) + 1
))
add_data("veteran", data.frame(
  time = veteran$time, status = veteran$status, trt = veteran$trt - 1, karno = veteran$karno,
  diagtime = veteran$diagtime, age = veteran$age, prior = veteran$prior / 10,
  smallcell = as.integer(veteran$celltype == "smallcell"), adeno = as.integer(veteran$celltype == "adeno"),
  large = as.integer(veteran$celltype == "large"), karno_age = veteran$karno + 2 * veteran$age
))
cd <- colon[colon$etype == 2, ]
add_data("colon", data.frame(
  time = cd$time, status = cd$status, lev = as.integer(cd$rx == "Lev"), lev5fu = as.integer(cd$rx == "Lev+5FU"),
  sex = cd$sex, age = cd$age, obstruct = cd$obstruct, nodes = cd$nodes, extent = cd$extent,
  surg = cd$surg, differ = cd$differ
))
pb <- pbc[!is.na(pbc$trt), ]
add_data("pbc", data.frame(
  time = pb$time, death = as.integer(pb$status == 2), age = pb$age, edema = pb$edema,
  log_bili = log(pb$bili), log_albumin = log(pb$albumin), log_protime = log(pb$protime), trt = pb$trt - 1
))
j <- seq_len(nrow(rats))
add_data("rats", data.frame(
  litter = rats$litter, rx = rats$rx, time = rats$time, status = rats$status,
  female = as.integer(rats$sex == "f"), w = 1 + (j %% 4) / 2
))
k <- seq_len(nrow(ovarian))
add_data("ovarian", data.frame(
  futime = ovarian$futime, fustat = ovarian$fustat, age = ovarian$age, resid_ds = ovarian$resid.ds - 1,
  rx = ovarian$rx - 1, ecog_ps = ovarian$ecog.ps - 1, w = 0.25 + (k %% 5) / 2
))
add_data("bladder", data.frame(
  id = bladder$id, rx = bladder$rx - 1, number = bladder$number, size = bladder$size,
  stop = bladder$stop, event = bladder$event, enum = bladder$enum
))
m <- seq_len(nrow(retinopathy))
add_data("retinopathy", data.frame(
  id = retinopathy$id, trt = retinopathy$trt, age = retinopathy$age,
  adult = as.integer(retinopathy$type == "adult"), futime = retinopathy$futime, status = retinopathy$status,
  w = 1 + (m %% 3) / 4
))

# ---- models -----------------------------------------------------------------------------------
cases <- list()
case <- function(name, data, time, status, covariates, strata = "", cluster = "", weights = "",
                 robust = FALSE, expect = "fit") {
  for (ties in c("breslow", "efron")) {
    cases[[length(cases) + 1]] <<- data.frame(
      case = paste(name, ties, sep = "."), data = data, time = time, status = status,
      covariates = paste(covariates, collapse = " "), ties = ties, strata = paste(strata, collapse = " "),
      cluster = cluster, weights = weights, robust = robust, expect = expect
    )
  }
}
case("lung", "lung", "time", "status", c("age", "sex", "ph_ecog", "wt_loss"))
case("lung_strata", "lung", "time", "status", c("age", "sex", "ph_ecog"), strata = "inst")
case("lung_weights", "lung", "time", "status", c("age", "sex", "ph_ecog"), weights = "w")
case("lung_weights_robust", "lung", "time", "status", c("age", "sex", "ph_ecog"), weights = "w", robust = TRUE)
case("lung_frequency", "lung", "time", "status", c("age", "sex", "ph_ecog"), weights = "w_int")
case("lung_robust", "lung", "time", "status", c("age", "sex", "ph_karno"), robust = TRUE)
case("lung_small_scale", "lung", "time", "status", c("age", "sex", "karno_small"))
case("lung_separated", "lung", "time", "status", c("age", "sex", "sep10"), expect = "infinite")
case("lung_aliased", "lung", "time", "status", c("age", "sex", "age_sex", "ph_ecog"), expect = "aliased")
case("veteran", "veteran", "time", "status",
     c("trt", "karno", "diagtime", "age", "prior", "smallcell", "adeno", "large"))
case("veteran_aliased", "veteran", "time", "status", c("karno", "age", "karno_age", "trt"), expect = "aliased")
case("colon", "colon", "time", "status", c("lev", "lev5fu", "sex", "age", "obstruct", "nodes", "extent"))
case("colon_strata", "colon", "time", "status", c("lev", "lev5fu", "age", "nodes"), strata = c("sex", "surg"))
case("pbc", "pbc", "time", "death", c("age", "edema", "log_bili", "log_albumin", "log_protime"))
case("rats_cluster", "rats", "time", "status", c("rx", "female"), cluster = "litter")
case("rats_litter_strata", "rats", "time", "status", c("rx"), strata = "litter")
case("rats_litter_strata_weights", "rats", "time", "status", c("rx"), strata = "litter", weights = "w")
case("ovarian_weights_robust", "ovarian", "futime", "fustat", c("age", "ecog_ps", "rx"), weights = "w", robust = TRUE)
case("bladder_wlw", "bladder", "stop", "event", c("rx", "size", "number"), strata = "enum", cluster = "id")
case("retinopathy_pairs", "retinopathy", "futime", "status", c("trt"), strata = "id")
case("retinopathy_pairs_weights", "retinopathy", "futime", "status", c("trt"), strata = "id", weights = "w")
case("retinopathy_pairs_aliased", "retinopathy", "futime", "status", c("trt", "adult"), strata = "id",
     expect = "aliased")
case("retinopathy_cluster_weights", "retinopathy", "futime", "status", c("trt", "age"), cluster = "id",
     weights = "w")
cases <- do.call(rbind, cases)
write.csv(cases, file.path(outdir, "cases.csv"), row.names = FALSE)

# ---- results ----------------------------------------------------------------------------------
rows <- list()
put <- function(case, quantity, term, value) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, term = term,
                                          value = ifelse(is.na(value), "NA", sprintf("%.17g", value)))
}
for (r in seq_len(nrow(cases))) {
  cs <- cases[r, ]
  d <- datasets[[cs$data]]
  covs <- strsplit(cs$covariates, " ")[[1]]
  rhs <- paste(covs, collapse = " + ")
  if (nzchar(cs$strata)) rhs <- paste0(rhs, " + strata(", gsub(" ", ", ", cs$strata), ")")
  form <- as.formula(paste0("Surv(", cs$time, ", ", cs$status, ") ~ ", rhs))
  d$.w <- if (nzchar(cs$weights)) d[[cs$weights]] else rep(1, nrow(d))
  d$.cl <- if (nzchar(cs$cluster)) d[[cs$cluster]] else seq_len(nrow(d))
  warned <- character(0)
  fit <- withCallingHandlers(
    if (nzchar(cs$cluster)) {
      coxph(form, data = d, ties = cs$ties, weights = .w, cluster = .cl, robust = TRUE)
    } else {
      coxph(form, data = d, ties = cs$ties, weights = .w, robust = cs$robust)
    },
    warning = function(w) {
      warned <<- c(warned, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  beta <- coef(fit)
  naive <- if (is.null(fit$naive.var)) fit$var else fit$naive.var
  for (t in names(beta)) {
    ix <- match(t, names(beta))
    if (is.na(beta[[t]])) {
      put(cs$case, "aliased", t, 1)
      next
    }
    put(cs$case, "coef", t, beta[[t]])
  }
  infinite <- regmatches(warned, regexpr("before variable +[0-9, ]+", warned))
  for (msg in infinite) {
    for (ix in as.integer(strsplit(trimws(sub("before variable", "", msg)), ",")[[1]])) {
      put(cs$case, "infinite", names(beta)[ix], 1)
    }
  }
  if (cs$expect != "fit") next
  se_naive <- sqrt(diag(naive))
  se <- sqrt(diag(fit$var))
  for (ix in seq_along(beta)) {
    put(cs$case, "se_naive", names(beta)[ix], se_naive[ix])
    put(cs$case, "se", names(beta)[ix], se[ix])
  }
  put(cs$case, "loglik", "", fit$loglik[2])
  put(cs$case, "n", "", fit$n)
  put(cs$case, "events", "", fit$nevent)
  put(cs$case, "n_dropped", "", length(fit$na.action))
  for (transform in c("km", "rank", "identity", "log")) {
    z <- cox.zph(fit, transform = transform)$table
    for (t in rownames(z)) {
      put(cs$case, paste0("zph_", transform), t, z[t, "chisq"])
      put(cs$case, paste0("zph_", transform, "_p"), t, z[t, "p"])
    }
  }
}
write.csv(do.call(rbind, rows), file.path(outdir, "results.csv"), row.names = FALSE)
