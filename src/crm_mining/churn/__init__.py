"""Churn classification: feature screening, model comparison, calibration, fallbacks and
per-customer drivers.

Pure functions on pandas frames, called by the dbt Python models of python_models/churn/.

The inputs are the rows of `int_churn_features_snapshotted` (one row per snapshot and customer,
features computed only from the order lines dated before the snapshot's cutoff) and
`int_churn_labels_observed` (one row per customer of the training snapshot: `is_churned` = no
purchase in the horizon after the training cutoff). `train_churn_model`:

1. checks that the training snapshot can train a classifier (enough customers of each class),
   else falls back to a constant score (the base rate) and says why;
2. splits the training snapshot into a fit part and a stratified validation part
   (`validation_share`, seeded), and draws from the fit part a seeded stratified sample of at
   most `MODEL_MAX_ROWS` customers, the rows every model is fitted on;
3. leaves out the features that carry no information in that sample (no observed value, or
   one value for every customer; e.g. the review features without a reviews file) and says
   which and why; without any feature left it falls back to the base rate;
4. fits logistic regression and histogram gradient boosting on the sample and keeps the
   better one by validation ROC AUC (ties: logistic regression, the simpler model); when
   that AUC is less than `min_auc_z` standard errors above 0.5, the split cannot tell it from
   chance and every score is the base rate;
5. calibrates it (isotonic from `ISOTONIC_MIN_CUSTOMERS` training customers, interpolated
   between the centres of its steps; sigmoid below): with at least `CALIBRATION_MIN_HELD_OUT`
   fit customers outside the sample, the kept model is calibrated on their decision values;
   otherwise, like CalibratedClassifierCV's ensemble, one model per fold of the sample
   (`CALIBRATION_FOLDS`) calibrated on its own fold, the probability their mean. It reports
   the validation ROC AUC, PR AUC, Brier score, calibration by decile and permutation
   importances, next to a recency-only baseline's ROC AUC;
6. when the fit part was smaller than a full sample, refits the same procedure on the whole
   training snapshot for scoring; otherwise the validated model scores.

`score_customers` then gives every customer of the scoring snapshot a probability, a risk band
and the features that raise their score most compared with a typical training customer
(exact what-if values, computed by `whatif` without predicting one copy per feature).

Modules: settings (features, vars), inputs (frames, split, sample, screening), model
(candidates, calibration, ChurnModel), whatif, training, explain (importance, drivers, scores),
persistence (hand-over between the dbt models).
"""

from crm_mining.churn.explain import (
    IMPORTANCE_COLUMNS,
    IMPORTANCE_MAX_ROWS,
    IMPORTANCE_REPEATS,
    MIN_DRIVER_EFFECT,
    SCORE_COLUMNS,
    _format_value,
    describe_drivers,
    driver_effects,
    format_values,
    importance_frame,
    listed_effects,
    on_risky_side,
    risk_bands,
    score_customers,
)
from crm_mining.churn.inputs import (
    FeatureScreen,
    feature_matrix,
    labelled_training_frame,
    reference_values,
    scoring_frame,
    screen_features,
    stratified_sample,
    validation_split,
)
from crm_mining.churn.model import (
    CALIBRATION_FOLDS,
    CALIBRATION_MIN_HELD_OUT,
    ISOTONIC_MIN_CUSTOMERS,
    Calibrator,
    ChurnModel,
    Member,
    calibration_method_for,
    candidate_models,
)
from crm_mining.churn.persistence import dump_result, load_result, metrics_frame
from crm_mining.churn.settings import (
    BASE_RATE,
    CANDIDATES,
    FEATURE_NAMES,
    FEATURES,
    GRADIENT_BOOSTING,
    LOGISTIC_REGRESSION,
    ChurnFeature,
    ChurnSettings,
)
from crm_mining.churn.training import (
    METRIC_COLUMNS,
    MODEL_MAX_ROWS,
    NO_LABEL_PROBABILITY,
    ChurnTrainingResult,
    calibration_by_decile,
    calibration_table,
    fallback_reason,
    train_churn_model,
)

__all__ = [
    "BASE_RATE",
    "CALIBRATION_FOLDS",
    "CALIBRATION_MIN_HELD_OUT",
    "CANDIDATES",
    "FEATURES",
    "FEATURE_NAMES",
    "GRADIENT_BOOSTING",
    "IMPORTANCE_COLUMNS",
    "IMPORTANCE_MAX_ROWS",
    "IMPORTANCE_REPEATS",
    "ISOTONIC_MIN_CUSTOMERS",
    "LOGISTIC_REGRESSION",
    "METRIC_COLUMNS",
    "MIN_DRIVER_EFFECT",
    "MODEL_MAX_ROWS",
    "NO_LABEL_PROBABILITY",
    "SCORE_COLUMNS",
    "Calibrator",
    "ChurnFeature",
    "ChurnModel",
    "ChurnSettings",
    "ChurnTrainingResult",
    "FeatureScreen",
    "Member",
    "_format_value",
    "calibration_by_decile",
    "calibration_method_for",
    "calibration_table",
    "candidate_models",
    "describe_drivers",
    "driver_effects",
    "dump_result",
    "fallback_reason",
    "feature_matrix",
    "format_values",
    "importance_frame",
    "labelled_training_frame",
    "listed_effects",
    "load_result",
    "metrics_frame",
    "on_risky_side",
    "reference_values",
    "risk_bands",
    "score_customers",
    "scoring_frame",
    "screen_features",
    "stratified_sample",
    "train_churn_model",
    "validation_split",
]
