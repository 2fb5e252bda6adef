"""Publish every public mart for BI tools (Parquet + a read-only DuckDB file), after they build.

One row per published mart. The export directory is the var `export_dir`, else `exports/`
beside the DuckDB file; files are swapped in atomically (see crm_mining.publish).
"""

from pathlib import Path

import pandas as pd

from crm_mining.publish import (
    default_export_dir,
    parquet_row_count,
    publish_bi_database,
    publish_parquet,
)


def model(dbt, session):
    dbt.config(materialized="table")
    marts = {
        "audit_input_reconciliation": dbt.ref("audit_input_reconciliation"),
        "audit_rejected_rows": dbt.ref("audit_rejected_rows"),
        "dim_customers": dbt.ref("dim_customers"),
        "dim_products": dbt.ref("dim_products"),
        "dim_segment_personas": dbt.ref("dim_segment_personas"),
        "fct_category_pair_associations": dbt.ref("fct_category_pair_associations"),
        "fct_churn_feature_importance": dbt.ref("fct_churn_feature_importance"),
        "fct_churn_model_metrics": dbt.ref("fct_churn_model_metrics"),
        "fct_customer_buy_again": dbt.ref("fct_customer_buy_again"),
        "fct_customer_churn_scores": dbt.ref("fct_customer_churn_scores"),
        "fct_customer_recommendations": dbt.ref("fct_customer_recommendations"),
        "fct_customer_rfm": dbt.ref("fct_customer_rfm"),
        "fct_customer_segments": dbt.ref("fct_customer_segments"),
        "fct_item_pair_associations": dbt.ref("fct_item_pair_associations"),
        "fct_orders": dbt.ref("fct_orders"),
        "fct_product_sentiment": dbt.ref("fct_product_sentiment"),
        "fct_recommendation_evaluation": dbt.ref("fct_recommendation_evaluation"),
        "fct_review_sentiment": dbt.ref("fct_review_sentiment"),
        "fct_segmentation_model_metrics": dbt.ref("fct_segmentation_model_metrics"),
    }
    configured = dbt.config.get("export_dir")
    export_dir = (
        Path(configured) if configured else default_export_dir(dbt.config.get("database_path"))
    )

    parquet_files = {
        name: publish_parquet(relation.write_parquet, name, export_dir)
        for name, relation in sorted(marts.items())
    }
    publish_bi_database(parquet_files, export_dir)

    return pd.DataFrame(
        {
            "mart_name": pd.Series(list(parquet_files), dtype="string"),
            "row_count": pd.Series(
                [parquet_row_count(path) for path in parquet_files.values()], dtype="int64"
            ),
            "parquet_path": pd.Series([str(p) for p in parquet_files.values()], dtype="string"),
        }
    )
