"""Fit the CLV models: one row with the BG/NBD and Gamma-Gamma parameters fitted on the summary
as of as_of_date, and the out-of-time check of the BG/NBD refitted as of as_of_date -
clv_horizon_days (crm_mining.clv.evaluation); reasons where a model could not be fitted."""

from crm_mining.clv.evaluation import fit_clv_models
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
    summaries = dbt.ref("int_clv_summaries_snapshotted")
    scoring = to_pandas(summaries.filter("snapshot_name = 'scoring'").select(*SUMMARY_COLUMNS))
    calibration = to_pandas(
        summaries.filter("snapshot_name = 'calibration'").select(*SUMMARY_COLUMNS)
    )
    holdout = to_pandas(dbt.ref("int_clv_holdout_purchases_observed"))
    metrics, _, _ = fit_clv_models(scoring, calibration, holdout, settings)
    return metrics
