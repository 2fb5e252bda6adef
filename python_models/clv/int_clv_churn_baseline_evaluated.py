"""The P(alive) baseline of the churn model: one row with the ROC AUC of 1 - P(alive) (BG/NBD
fitted as of the churn training cutoff) on the churn training labels (crm_mining.clv.evaluation)."""

from crm_mining.clv.evaluation import churn_baseline
from crm_mining.clv.scoring import SUMMARY_COLUMNS, ClvSettings
from crm_mining.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt passes to a Python model only the config keys it reads literally.
    settings = ClvSettings.from_config(
        {
            "clv_horizon_days": dbt.config.get("clv_horizon_days"),
            "clv_discount_rate": dbt.config.get("clv_discount_rate"),
            "clv_min_repeat_customers": dbt.config.get("clv_min_repeat_customers"),
        }
    )
    summary = to_pandas(
        dbt.ref("int_clv_summaries_snapshotted")
        .filter("snapshot_name = 'churn_training'")
        .select(*SUMMARY_COLUMNS)
    )
    labels = to_pandas(dbt.ref("int_churn_labels_observed").select("customer_id", "is_churned"))
    return churn_baseline(summary, labels, settings)
