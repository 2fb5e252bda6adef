{#- Exactly one row: the churn model chosen, its validation metrics, or why it fell back. -#}
{%- set model_columns = int_churn_model_trained_columns() -%}
{%- set baseline_columns = int_clv_churn_baseline_evaluated_columns() -%}
with

{# Targets without Python models: one row, every model column null. #}
churn_model as (
    select * from {{ crm_python_model_relation(
        'int_churn_model_trained', model_columns, one_row=true
    ) }}
),

{# The P(alive) baseline, computed with the CLV models (python_models/clv). #}
clv_churn_baseline as (
    select * from {{ crm_python_model_relation(
        'int_clv_churn_baseline_evaluated', baseline_columns, one_row=true
    ) }}
),

churn_snapshots as (
    select * from {{ ref('int_churn_snapshots_resolved') }}
),

training_snapshot as (
    select
        as_of_date,
        cutoff_date,
        churn_horizon_days
    from churn_snapshots
    where snapshot_name = 'training'
),

metrics_typed as (
    select
        cast(training_snapshot.as_of_date as date) as as_of_date,
        cast(training_snapshot.cutoff_date as date) as training_cutoff_date,
        cast(training_snapshot.churn_horizon_days as {{ dbt.type_int() }}) as churn_horizon_days,
        {% for name, data_type in model_columns.items() -%}
            cast(churn_model.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor -%}
        cast(clv_churn_baseline.p_alive_roc_auc as {{ baseline_columns['p_alive_roc_auc'] }})
            as p_alive_baseline_roc_auc
    from churn_model
    cross join clv_churn_baseline
    cross join training_snapshot
)

select * from metrics_typed
