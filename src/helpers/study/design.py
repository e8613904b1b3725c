"""The study's design in one place: every setting, cut-off and label the analyses use.

The original study's conventions (see the Methods chapter): two-sided tests at
0.05; 1:1 greedy nearest-neighbour propensity matching with a caliper of 0.02
(on the probability scale, largest score first: the algorithm, scale and order
are this project's reading); a univariate screen at P < 0.15 for the
multivariable Cox models; PFS and OS compared before and after matching;
strata by liver metastases and by first-line PFS within 2L-ICIs.
"""

from __future__ import annotations

from .cohort import GROUP_ICI, GROUP_NON_ICI, ICI_AGENTS, TABLE1_VARIABLES, TREATED

ALPHA = 0.05

# --- propensity score matching ---------------------------------------------------
PSM_SETTINGS = {"caliper": 0.02, "caliper_scale": "probability", "order": "largest"}
PSM_COVARIATES = TABLE1_VARIABLES
TREATMENT = TREATED  # 0/1, 1 = 2L-ICIs

# --- Cox models within 2L-ICIs (Tables 4 and 5) ----------------------------------
COX_ENTRY_P = 0.15
COX_TABLES = {"pfs": "table4_cox_pfs", "os": "table5_cox_os"}

# --- endpoints, populations, strata ----------------------------------------------
ENDPOINTS = ("pfs", "os")
ENDPOINT_LABELS = {"pfs": "Progression-free survival", "os": "Overall survival"}
ENDPOINT_SHORT = {"pfs": "PFS", "os": "OS"}
# months at which the paper reports survival rates, per endpoint; every curve is summarised at all of them
REPORTED_LANDMARKS = {"pfs": (6.0, 12.0), "os": (12.0, 24.0)}
LANDMARKS = (6.0, 12.0, 24.0)
POPULATIONS = ("before_psm", "after_psm")
POPULATION_LABELS = {"before_psm": "Before PSM", "after_psm": "After PSM"}
GROUP_LABELS = {GROUP_ICI: "2L-ICIs", GROUP_NON_ICI: "2L-non-ICIs"}
# Figure 3: within 2L-ICIs, by these characteristics (level 1 first)
STRATA = {"liver_met": "Liver metastases", "first_line_pfs_ge6": "1L-PFS ≥6 months"}
STRATUM_LABELS = {
    "liver_met": {1: "Liver metastases", 0: "No liver metastases"},
    "first_line_pfs_ge6": {1: "1L-PFS ≥6 months", 0: "1L-PFS <6 months"},
}

# --- Table 1 characteristics: (name, label of level 1, label of level 0) ----------
TABLE1_LABELS = {
    "male": ("Gender", "Male", "Female"),
    "age_ge65": ("Age", "≥65", "<65"),
    "smoker": ("Smoking status", "Yes", "No"),
    "ecog_ge2": ("ECOG PS", "≥2", "<2"),
    "lung_met": ("Lung metastases", "Yes", "No"),
    "bone_met": ("Bone metastases", "Yes", "No"),
    "brain_met": ("Brain metastases", "Yes", "No"),
    "liver_met": ("Liver metastases", "Yes", "No"),
    "sites_ge3": ("Number of metastatic lesions", "≥3", "<3"),
    "first_line_ici": ("1L-ICIs", "Yes", "No"),
    "first_line_pfs_ge6": ("1L-PFS (months)", "≥6", "<6"),
}
# The cohort column each derived characteristic comes from (for messages about the file).
SOURCE_COLUMNS = {
    "male": "sex",
    "age_ge65": "age",
    "ecog_ge2": "ecog",
    "sites_ge3": "n_metastatic_sites",
    "first_line_pfs_ge6": "first_line_pfs_months",
}


def characteristic(variable: str) -> str:
    """The characteristic's name as in Table 1: 'Gender', '1L-PFS (months)'."""
    return TABLE1_LABELS[variable][0]


def level_label(variable: str, level: int) -> str:
    """The label of level 1 or 0 of a characteristic: 'Male', '≥65', 'No'."""
    return TABLE1_LABELS[variable][1 if level == 1 else 2]


def exposure_label(variable: str) -> str:
    """A characteristic with its level 1, for lists and plots: 'Gender: Male'."""
    return f"{characteristic(variable)}: {level_label(variable, 1)}"


def contrast_label(variable: str) -> str:
    """The contrast a coefficient measures: 'Gender: Male vs Female'."""
    return f"{exposure_label(variable)} vs {level_label(variable, 0)}"


def characteristic_in_text(variable: str) -> str:
    """A characteristic's name for running text: 'liver metastases', 'ECOG PS', '1L-PFS'."""
    name = characteristic(variable).replace(" (months)", "")
    return name if name[:2].isupper() or name[0].isdigit() else name.lower()


# --- sections 3.1 and 3.2: the whole cohort and the treatment given ---------------
# The shares of all patients that section 3.1 reports: (characteristic, level counted).
COHORT_SHARES = (
    ("male", 1),
    ("smoker", 1),
    ("ecog_ge2", 0),
    ("lung_met", 1),
    ("bone_met", 1),
    ("brain_met", 1),
    ("liver_met", 1),
    ("sites_ge3", 1),
    ("first_line_ici", 1),
)
REGIMEN_LABELS = {
    "ici_chemotherapy": "ICI + chemotherapy",
    "ici_antiangiogenic": "ICI + anti-angiogenic agent",
    "ici_chemotherapy_antiangiogenic": "ICI + chemotherapy + anti-angiogenic agent",
    "ici_monotherapy": "ICI alone",
    "chemotherapy": "Chemotherapy",
    "antiangiogenic": "Anti-angiogenic agent (anlotinib), alone or with chemotherapy",
}
ICI_AGENT_LABELS = {agent: agent.capitalize() for agent in ICI_AGENTS}

# --- tests of Tables 1-3 ------------------------------------------------------------
TEST_LABELS = {
    "pearson": "Pearson's chi-square test without continuity correction",
    "yates": "the chi-square test with Yates's continuity correction",
    "fisher": "Fisher's exact test",
    "mcnemar": "McNemar's test for paired data",
}


def level_share_label(variable: str, level: int) -> str:
    """A characteristic with the level counted: 'Gender: Male', 'ECOG PS: <2'."""
    return f"{characteristic(variable)}: {level_label(variable, level)}"


def describe_test(test: str) -> str:
    """The name of a test for tables and prose: "Fisher's exact test"; unknown names pass through."""
    return TEST_LABELS.get(test, test)


def columns(endpoint: str) -> tuple[str, str]:
    """Duration and event column of an endpoint ("pfs" or "os")."""
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
    return f"{endpoint}_months", f"{endpoint}_event"


# --- Tables 2 and 3 --------------------------------------------------------------
RESPONSE_ROWS = (
    # (row key, label, best responses counted)
    ("cr", "CR", ("CR",)),
    ("pr", "PR", ("PR",)),
    ("sd", "SD", ("SD",)),
    ("pd", "PD", ("PD",)),
    ("orr", "ORR", ("CR", "PR")),
    ("dcr", "DCR", ("CR", "PR", "SD")),
)
TESTED_RESPONSE_ROWS = ("orr", "dcr")  # the paper tests only these

SAFETY_ROWS = (
    # (row key, label, column, worst grades counted)
    ("hematologic_toxicities", "Hematologic toxicities", "ae_hematologic", (1, 2, 3, 4, 5)),
    ("g34_hematologic_toxicities", "G3/4 hematologic toxicities", "ae_hematologic", (3, 4)),
    ("gastrointestinal_toxicities", "Gastrointestinal toxicities", "ae_gastrointestinal", (1, 2, 3, 4, 5)),
    ("g34_gastrointestinal_toxicities", "G3/4 gastrointestinal toxicities", "ae_gastrointestinal", (3, 4)),
    ("hepatic_toxicities", "Hepatic toxicities", "ae_hepatic", (1, 2, 3, 4, 5)),
    ("g34_elevated_alt_ast", "G3/4 elevated ALT/AST", "ae_hepatic", (3, 4)),
    ("hypothyroidism", "Hypothyroidism", "ae_hypothyroidism", (1, 2, 3, 4, 5)),
    ("rash", "Rash", "ae_rash", (1, 2, 3, 4, 5)),
    ("g3_rash", "G3 rash", "ae_rash", (3,)),
    ("pneumonitis", "Pneumonitis", "ae_pneumonitis", (1, 2, 3, 4, 5)),
    ("diarrhea", "Diarrhea", "ae_diarrhea", (1, 2, 3, 4, 5)),
    ("adrenal_insufficiency", "Adrenal insufficiency", "ae_adrenal_insufficiency", (1, 2, 3, 4, 5)),
)
SAFETY_LABELS = {row: label for row, label, _, _ in SAFETY_ROWS}
SAFETY_GRADES = {row: grades for row, _, _, grades in SAFETY_ROWS}

# --- what a cohort needs for the analyses to run --------------------------------
MIN_PER_GROUP = 10

# --- the appraisal: a modern analysis of the same design ----------------------------
# Propensity score weights: (estimand, stabilised, truncated at WEIGHT_TRUNCATION).
# ATE and ATT weights can be extreme where one arm is rare; they are truncated at the
# 1st and 99th percentiles, which keeps every patient (the population stays the one the
# weights describe) and only bounds the influence of the few largest weights. Overlap
# weights are bounded by 1 and need neither stabilisation nor truncation.
WEIGHTING = {
    "iptw_ate": ("ATE", True, True),
    "iptw_att": ("ATT", True, True),
    "overlap": ("ATO", False, False),
}
WEIGHT_TRUNCATION = (0.01, 0.99)
# A propensity score outside these bounds marks a patient whom the other arm barely
# resembles; such patients are counted (not excluded: exclusion would change the population).
PS_BOUNDS = (0.05, 0.95)
# Absolute effects: restricted mean survival time up to these horizons, survival differences at these times.
RMST_HORIZONS = (12.0, 24.0)
SURVIVAL_DIFFERENCE_TIMES = (6.0, 12.0)
# The bootstrap of every method's estimates (helpers.study.estimators.bootstrap): replicates and seed.
# 200 replicates give standard errors to within about 5% and percentile limits to within about a fifth
# of a standard error (Monte Carlo error); each replicate refits the propensity model (patients) or redraws the pairs (PSM).
BOOTSTRAP_REPLICATES = 200
BOOTSTRAP_SEED = 20261129
# Labels of the samples whose balance the appraisal compares (love plot, weights table).
BALANCE_LABELS = {
    "unadjusted": "All patients, unadjusted",
    "psm": "PSM (matched pairs)",
    "iptw_ate": "IPTW, ATE (stabilised, truncated)",
    "iptw_att": "IPTW, ATT (stabilised, truncated)",
    "overlap": "Overlap weights (ATO)",
}
# The appraisal's methods (helpers.study.estimators.ESTIMATORS): labels and the estimands they target.
ESTIMATOR_LABELS = {
    "crude": "Crude (unadjusted)",
    "psm": "PSM, as in the paper",
    "psm_robust": "PSM, pair-robust SE",
    "psm_stratified": "PSM, pair-stratified Cox",
    "multivariable": "Multivariable Cox",
    "iptw_ate": "IPTW (ATE weights)",
    "iptw_att": "IPTW (ATT weights)",
    "overlap": "Overlap weights",
    "iptw_adjusted": "IPTW (ATE) + covariates",
    "doubly_robust": "Doubly robust (AIPW)",
}
ESTIMAND_LABELS = {
    "ATE": "ATE: all patients",
    "ATT": "ATT: all treated patients",
    "ATM": "ATM: the matched treated patients",
    "ATO": "ATO: the overlap population",
    "conditional": "Conditional on the covariates",
}
