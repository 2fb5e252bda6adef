"""Train the churn classifier on the training snapshot: one row with its metrics and the model.

Compares logistic regression and gradient boosting on a validation split, keeps the better by
ROC AUC, calibrates it and refits it on the whole training snapshot (crm_mining.churn); falls
back to the base rate, with the reason, when the data cannot train a classifier. The fitted
result is stored as bytes in model_artifact for int_churn_scores_predicted and
int_churn_feature_importance_ranked.
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
            "churn_risk_high": dbt.config.get("churn_risk_high"),
            "churn_risk_medium": dbt.config.get("churn_risk_medium"),
        }
    )
    features = to_pandas(dbt.ref("int_churn_features_snapshotted"))
    labels = to_pandas(dbt.ref("int_churn_labels_observed"))

    training = labelled_training_frame(features, labels)
    scored_customers = int((features["snapshot_name"] == "scoring").sum())
    result = train_churn_model(training, settings, scored_customers=scored_customers)

    trained = metrics_frame(result)
    trained["model_artifact"] = pd.Series([dump_result(result)], dtype="object")
    return trained
