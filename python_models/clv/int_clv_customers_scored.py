"""Score every customer with a purchase before as_of_date with the models of
int_clv_model_fitted: P(alive), expected purchases and order value, predicted CLV, its tier and
the days to the expected next purchase (crm_mining.clv.scoring), one row per customer."""

from crm_mining.clv.evaluation import params_from_metrics
from crm_mining.clv.scoring import SUMMARY_COLUMNS, ClvSettings, score_customers
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
    bgnbd, gamma_gamma, order_value = params_from_metrics(
        to_pandas(dbt.ref("int_clv_model_fitted"))
    )
    scoring = to_pandas(
        dbt.ref("int_clv_summaries_snapshotted")
        .filter("snapshot_name = 'scoring'")
        .select(*SUMMARY_COLUMNS)
    )
    return score_customers(scoring, bgnbd, gamma_gamma, order_value, settings)
