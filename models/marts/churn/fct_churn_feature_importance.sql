{#- One row per feature of the chosen churn model: permutation importance on validation. -#}
{%- set importance_columns = int_churn_feature_importance_ranked_columns() -%}
with

{# Targets without Python models: no model, no feature row. #}
feature_importance as (
    select * from {{ crm_python_model_relation(
        'int_churn_feature_importance_ranked', importance_columns
    ) }}
),

importance_typed as (
    select
        {% for name, data_type in importance_columns.items() -%}
            cast({{ name }} as {{ data_type }}) as {{ name }}
            {%- if not loop.last %},{% endif %}
        {% endfor -%}
    from feature_importance
)

select * from importance_typed
