{#- One row per decile of validation predictions: predicted vs observed churn rate. -#}
{%- set decile_columns = int_churn_deciles_evaluated_columns() -%}
with

{# Targets without Python models: no model, no decile row. #}
churn_deciles as (
    select * from {{ crm_python_model_relation(
        'int_churn_deciles_evaluated', decile_columns
    ) }}
),

deciles_typed as (
    select
        {%- for name, data_type in decile_columns.items() %}
            cast({{ name }} as {{ data_type }}) as {{ name }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from churn_deciles
)

select * from deciles_typed
