"""Calibration of the chosen churn model on the validation split: one row per decile of
predicted probability, its mean prediction and observed churn rate (none without a model)."""

from crm_mining.churn import load_result
from crm_mining.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    trained = to_pandas(dbt.ref("int_churn_model_trained"))
    return load_result(trained["model_artifact"].iloc[0]).calibration
