"""Every scikit-learn name the package uses, imported by this one module.

dbt-duckdb runs Python models as threads of one process. Two threads importing scikit-learn for
the first time at once can fail with a circular ImportError: each holds the import lock of a
different scikit-learn submodule and finds the other's half initialised. The helpers import
scikit-learn only through this module, so the first thread imports all of it under this module's
single import lock and every other thread waits for it to finish.

Models that need no scikit-learn (sentiment, publishing) never import this module, so they do not
pay its import time (about 0.8 s).
"""

from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    roc_auc_score,
    silhouette_score,
)
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

__all__ = [
    "CalibratedClassifierCV",
    "FunctionTransformer",
    "HistGradientBoostingClassifier",
    "IsotonicRegression",
    "KMeans",
    "LogisticRegression",
    "MiniBatchKMeans",
    "Pipeline",
    "SimpleImputer",
    "StandardScaler",
    "StratifiedKFold",
    "average_precision_score",
    "brier_score_loss",
    "clone",
    "permutation_importance",
    "roc_auc_score",
    "silhouette_score",
    "train_test_split",
]
