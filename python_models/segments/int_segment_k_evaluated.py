"""One row per k from segment_k_min to segment_k_max: silhouette and inertia on the selection
sample of the model of int_segment_model_fitted (null when that k could not be evaluated)."""

from crm_mining.frames import to_pandas
from crm_mining.segmentation import SegmentationModel, k_evaluations_frame


def model(dbt, session):
    dbt.config(materialized="table")
    fitted = to_pandas(dbt.ref("int_segment_model_fitted"))
    return k_evaluations_frame(SegmentationModel.from_json(fitted["model_json"].iloc[0]))
