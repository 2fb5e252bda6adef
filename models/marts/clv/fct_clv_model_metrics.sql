{#-
    Exactly one row: the fitted BG/NBD and Gamma-Gamma parameters, their diagnostics, the
    out-of-time check against the naive baseline, and why a model could not be fitted.
-#}
{%- set model_columns = int_clv_model_fitted_columns() -%}
with

{# Targets without Python models: one row, every model column null. #}
clv_model as (
    select * from {{ crm_python_model_relation(
        'int_clv_model_fitted', model_columns, one_row=true
    ) }}
),

clv_snapshots as (
    select * from {{ ref('int_clv_snapshots_resolved') }}
),

calibration_snapshot as (
    select
        as_of_date,
        cutoff_date,
        horizon_days
    from clv_snapshots
    where snapshot_name = 'calibration'
),

metrics_typed as (
    select
        cast(calibration_snapshot.as_of_date as date) as as_of_date,
        cast(calibration_snapshot.cutoff_date as date) as calibration_cutoff_date,
        cast(calibration_snapshot.horizon_days as {{ dbt.type_int() }}) as clv_horizon_days,
        {% for name, data_type in model_columns.items() -%}
            cast(clv_model.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor -%}
        cast({{ var('clv_discount_rate') }} as {{ crm_type_double() }}) as clv_discount_rate
    from clv_model
    cross join calibration_snapshot
)

select * from metrics_typed
