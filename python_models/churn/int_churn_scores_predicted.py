"""Score every customer of the scoring snapshot (features as of as_of_date) with the model of
int_churn_model_trained: probability, risk band and main drivers, one row per customer."""

from crm_mining.churn import ChurnSettings, load_result, score_customers, scoring_frame
from crm_mining.frames import to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt passes to a Python model only the config keys it reads literally.
    settings = ChurnSettings.from_config(
        {
            "random_seed": dbt.config.get("random_seed"),
            "churn_validation_share": dbt.config.get("churn_validation_share"),
            "churn_min_class_customers": dbt.config.get("churn_min_class_customers"),
            "churn_min_auc_z": dbt.config.get("churn_min_auc_z"),
            "churn_risk_high": dbt.config.get("churn_risk_high"),
            "churn_risk_medium": dbt.config.get("churn_risk_medium"),
        }
    )
    trained = to_pandas(dbt.ref("int_churn_model_trained"))
    result = load_result(trained["model_artifact"].iloc[0])
    features = to_pandas(
        dbt.ref("int_churn_features_snapshotted").filter("snapshot_name = 'scoring'")
    )
    return score_customers(result.model, scoring_frame(features), settings)
