"""The churn model's inputs and tunables: the feature list and `ChurnSettings` (dbt vars)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crm_mining.config import config_float, config_int


@dataclass(frozen=True)
class ChurnFeature:
    """One model input: its column in int_churn_features_snapshotted and how to print it."""

    name: str
    label: str
    #: Format of a value in the drivers text: "int", "float", "money" or "share".
    kind: str
    #: Which side of the typical value is the risky one, for the drivers: +1 when a higher
    #: value means more risk (days since the last purchase), -1 when a lower one does (recent
    #: purchases and spend), 0 when either may. Features move together (a recent purchase
    #: lowers recency_days and raises spend_90d), so a model can give one of them a weight of
    #: the "wrong" sign; a value on the safe side is then never listed as a reason to churn.
    risk_direction: int = 0
    #: How a missing value reads in the drivers text.
    missing_text: str = "n/a"


_NO_GAP = "n/a (one purchase day only)"
_NO_REVIEW = "n/a (no review with a text)"

#: The model inputs, in this order (columns of int_churn_features_snapshotted).
FEATURES: tuple[ChurnFeature, ...] = (
    ChurnFeature("recency_days", "days since last purchase", "int", +1),
    ChurnFeature("frequency", "purchase orders", "int", -1),
    ChurnFeature("monetary", "net spend", "money", -1),
    ChurnFeature("avg_order_value", "average order value", "money", 0),
    ChurnFeature("tenure_days", "days since first purchase", "int", 0),
    ChurnFeature("purchases_per_30d", "purchases per 30 days", "float", -1),
    ChurnFeature("count_purchases_30d", "purchases in the last 30 days", "int", -1),
    ChurnFeature("count_purchases_90d", "purchases in the last 90 days", "int", -1),
    ChurnFeature("count_purchases_180d", "purchases in the last 180 days", "int", -1),
    ChurnFeature("spend_30d", "spend in the last 30 days", "money", -1),
    ChurnFeature("spend_90d", "spend in the last 90 days", "money", -1),
    ChurnFeature("spend_180d", "spend in the last 180 days", "money", -1),
    ChurnFeature("avg_gap_days", "usual days between purchases", "float", +1, _NO_GAP),
    ChurnFeature(
        "stddev_gap_days",
        "spread of days between purchases",
        "float",
        +1,
        "n/a (fewer than two gaps)",
    ),
    ChurnFeature("max_gap_days", "longest gap between purchases", "int", +1, _NO_GAP),
    ChurnFeature("recency_gap_ratio", "days since last purchase / usual gap", "float", +1, _NO_GAP),
    ChurnFeature("share_units_returned", "share of units returned", "share", +1),
    ChurnFeature("count_reviews", "reviews written", "int", 0),
    ChurnFeature("avg_review_compound", "average review sentiment", "float", -1, _NO_REVIEW),
    ChurnFeature("share_negative_reviews", "share of negative reviews", "share", +1, _NO_REVIEW),
    ChurnFeature("avg_review_rating", "average review rating", "float", -1, "n/a (no rating)"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

LOGISTIC_REGRESSION = "logistic_regression"
GRADIENT_BOOSTING = "hist_gradient_boosting"
BASE_RATE = "base_rate"
#: Candidates in order of preference when their validation ROC AUC ties.
CANDIDATES: tuple[str, ...] = (LOGISTIC_REGRESSION, GRADIENT_BOOSTING)


@dataclass(frozen=True)
class ChurnSettings:
    """Tunables of the churn model (dbt vars of the same names, see dbt_project.yml)."""

    #: Share of the training snapshot held out to compare and evaluate the models.
    validation_share: float = 0.25
    #: Seed of the split, the samples, the gradient boosting, the calibration folds and the
    #: importances.
    random_seed: int = 42
    #: Each class (churned, retained) needs at least this many training customers.
    min_class_customers: int = 10
    #: churn_probability >= risk_high: band 'high'; >= risk_medium: 'medium'; else 'low'.
    risk_high: float = 0.7
    risk_medium: float = 0.4
    #: Drivers listed per customer.
    top_drivers: int = 3
    #: A model scores only when its validation ROC AUC is at least this many standard errors
    #: of a score without signal above 0.5 (training.standard_errors_above_chance).
    min_auc_z: float = 1.645

    def __post_init__(self) -> None:
        if not 0.0 < self.validation_share < 1.0:
            raise ValueError(
                f"churn_validation_share must be in (0, 1), got {self.validation_share}"
            )
        if self.min_class_customers < 2:
            raise ValueError(
                f"churn_min_class_customers must be at least 2, got {self.min_class_customers}"
            )
        if not 0.0 <= self.risk_medium <= self.risk_high <= 1.0:
            raise ValueError(
                "churn risk thresholds must satisfy 0 <= churn_risk_medium <= churn_risk_high <= 1,"
                f" got medium={self.risk_medium}, high={self.risk_high}"
            )
        if not self.min_auc_z >= 0.0:
            raise ValueError(f"churn_min_auc_z must be at least 0, got {self.min_auc_z}")
        if self.top_drivers < 1:
            raise ValueError(f"top_drivers must be at least 1, got {self.top_drivers}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ChurnSettings:
        """Settings from the dbt vars of the same names, as a Python model's config gives them
        (text such as "0.25"); a missing or null var is an error naming it."""
        return cls(
            validation_share=config_float(config, "churn_validation_share"),
            random_seed=config_int(config, "random_seed"),
            min_class_customers=config_int(config, "churn_min_class_customers"),
            risk_high=config_float(config, "churn_risk_high"),
            risk_medium=config_float(config, "churn_risk_medium"),
            min_auc_z=config_float(config, "churn_min_auc_z"),
        )
