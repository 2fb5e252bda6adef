{#- One row per k tried (segment_k_min..segment_k_max): its silhouette, and the chosen model. -#}
with

{# Targets without Python models: no k evaluated, no row. #}
k_evaluated as (
    select * from {{ crm_python_model_relation(
        'int_segment_k_evaluated', int_segment_k_evaluated_columns()
    ) }}
),

model_fitted as (
    select * from {{ crm_python_model_relation(
        'int_segment_model_fitted', int_segment_model_fitted_columns()
    ) }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

metrics_typed as (
    select
        ---------- this k, on the selection sample (int_segment_k_evaluated)
        {% for name, data_type in int_segment_k_evaluated_columns().items() -%}
            cast(k_evaluated.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor %}

        ---------- the chosen segmentation (int_segment_model_fitted)
        {% for name, data_type in int_segment_model_fitted_columns().items() -%}
            cast(model_fitted.{{ name }} as {{ data_type }}) as {{ name }},
        {% endfor %}

        ---------- dates
        cast(analysis_date.as_of_date as date) as as_of_date

    from k_evaluated
    cross join model_fitted
    cross join analysis_date
)

select * from metrics_typed
