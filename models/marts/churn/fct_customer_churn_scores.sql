{#- One row per customer with a purchase before as_of_date: churn probability, band, drivers. -#}
{%- set score_columns = int_churn_scores_predicted_columns() -%}
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
    select * from {{ crm_python_model_relation(
        'int_churn_scores_predicted', score_columns,
        rows_from=scoring_customers_sql, key_columns=['customer_id']
    ) }}
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
        {% for name, data_type in score_columns.items() -%}
            cast(churn_scores.{{ name }} as {{ data_type }}) as {{ name }}
            {%- if not loop.last %},{% endif %}
        {% endfor -%}
    from churn_scores
    cross join scoring_snapshot
)

select * from scores_typed
