{#- One row per customer with a purchase before as_of_date: churn probability, band, drivers. -#}
{%- set scoring_customers_sql -%}
    (
        select customer_id
        from {{ ref('int_churn_features_snapshotted') }}
        where snapshot_name = 'scoring'
    )
{%- endset %}
with

{# Targets without Python models: every customer of the scoring snapshot, scores null. #}
churn_scores as (
    select * from {{ crm_python_model_relation('int_churn_scores_predicted', {
        'churn_probability': crm_type_double(),
        'churn_risk_band': dbt.type_string(),
        'main_driver': dbt.type_string(),
        'churn_drivers': dbt.type_string(),
        'model_name': dbt.type_string(),
        'is_fallback_score': dbt.type_boolean(),
    }, rows_from=scoring_customers_sql, key_columns=['customer_id']) }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

scoring_snapshot as (
    select
        as_of_date,
        horizon_end_date,
        churn_horizon_days
    from churn_snapshots
    where snapshot_name = 'scoring'
),

scores_typed as (
    select
        cast(churn_scores.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(scoring_snapshot.as_of_date as date) as as_of_date,
        cast(scoring_snapshot.horizon_end_date as date) as horizon_end_date,
        cast(scoring_snapshot.churn_horizon_days as {{ dbt.type_int() }}) as churn_horizon_days,
        cast(churn_scores.churn_probability as {{ crm_type_double() }}) as churn_probability,
        cast(churn_scores.churn_risk_band as {{ dbt.type_string() }}) as churn_risk_band,
        cast(churn_scores.main_driver as {{ dbt.type_string() }}) as main_driver,
        cast(churn_scores.churn_drivers as {{ dbt.type_string() }}) as churn_drivers,
        cast(churn_scores.model_name as {{ dbt.type_string() }}) as model_name,
        cast(churn_scores.is_fallback_score as {{ dbt.type_boolean() }}) as is_fallback_score
    from churn_scores
    cross join scoring_snapshot
)

select * from scores_typed
