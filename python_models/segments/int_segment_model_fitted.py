"""Fit the customer segmentation: exactly one row with its run-level figures and the model.

Chooses k by silhouette on a fixed-seed sample of int_segment_features_prepared and fits
k-means (crm_mining.segmentation.fit_segmentation); model_json holds the scaling, the ordered
centroids and the silhouette of every k tried, for int_customers_segmented and
int_segment_k_evaluated.
"""

from crm_mining.frames import to_pandas
from crm_mining.segmentation import SegmentationSettings, fit_segmentation, model_frame


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt passes to a Python model only the config keys it reads literally.
    settings = SegmentationSettings.from_config(
        {
            "segment_k_min": dbt.config.get("segment_k_min"),
            "segment_k_max": dbt.config.get("segment_k_max"),
            "segment_sample_size": dbt.config.get("segment_sample_size"),
            "segment_minibatch_threshold": dbt.config.get("segment_minibatch_threshold"),
            "segment_n_init": dbt.config.get("segment_n_init"),
            "random_seed": dbt.config.get("random_seed"),
        }
    )
    features = to_pandas(dbt.ref("int_segment_features_prepared"))
    return model_frame(fit_segmentation(features, settings))
