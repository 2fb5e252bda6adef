"""Permutation importance of each feature of the chosen churn model on the validation split,
one row per feature (none when the model fell back to the base rate)."""

from crm_mining.churn import load_result
from crm_mining.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    trained = to_pandas(dbt.ref("int_churn_model_trained"))
    return load_result(trained["model_artifact"].iloc[0]).importance
