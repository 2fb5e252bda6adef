"""Train the churn classifier on the training snapshot: one row with its metrics and the model.

Leaves out the features without information, compares logistic regression and gradient
boosting on a validation split, keeps the better by ROC AUC and calibrates it
(crm_mining.churn); falls back to the base rate, with the reason, when the data cannot train a
classifier. The fitted result is stored as bytes in model_artifact for
int_churn_scores_predicted and int_churn_feature_importance_ranked.
"""

import pandas as pd

from crm_mining.churn import (
    ChurnSettings,
    dump_result,
    labelled_training_frame,
    metrics_frame,
    train_churn_model,
)
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
    features = dbt.ref("int_churn_features_snapshotted")
    training = to_pandas(features.filter("snapshot_name = 'training'"))
    labels = to_pandas(dbt.ref("int_churn_labels_observed"))
    scoring_ids = to_pandas(features.filter("snapshot_name = 'scoring'").select("customer_id"))

    result = train_churn_model(
        labelled_training_frame(training, labels), settings, scored_customers=len(scoring_ids)
    )
    trained = metrics_frame(result)
    trained["model_artifact"] = pd.Series([dump_result(result)], dtype="object")
    return trained
