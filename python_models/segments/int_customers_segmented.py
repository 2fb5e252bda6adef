"""One row per customer of int_segment_features_prepared: its segment (the nearest centroid of
the model of int_segment_model_fitted) and its distance to that centroid."""

from crm_mining.frames import to_pandas
from crm_mining.segmentation import SegmentationModel, assign_segments


def model(dbt, session):
    dbt.config(materialized="table")
    fitted = to_pandas(dbt.ref("int_segment_model_fitted"))
    features = to_pandas(dbt.ref("int_segment_features_prepared"))
    return assign_segments(features, SegmentationModel.from_json(fitted["model_json"].iloc[0]))
