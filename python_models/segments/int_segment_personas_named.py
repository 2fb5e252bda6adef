"""One row per segment of int_segments_profiled: a short, distinct persona name and a
description with figures relative to every customer (crm_mining.segmentation.name_personas)."""

from crm_mining.frames import to_pandas
from crm_mining.segmentation import name_personas


def model(dbt, session):
    dbt.config(materialized="table")
    return name_personas(to_pandas(dbt.ref("int_segments_profiled")))
