{#- One row per feature of the chosen churn model: permutation importance on validation. -#}
with

{# Targets without Python models: no model, no feature row. #}
feature_importance as (
    select * from {{ crm_python_model_relation('int_churn_feature_importance_ranked', {
        'feature_name': dbt.type_string(),
        'feature_label': dbt.type_string(),
        'model_name': dbt.type_string(),
        'importance': crm_type_double(),
        'importance_std': crm_type_double(),
        'importance_rank': dbt.type_int(),
    }) }}
),

importance_typed as (
    select
        cast(feature_name as {{ dbt.type_string() }}) as feature_name,
        cast(feature_label as {{ dbt.type_string() }}) as feature_label,
        cast(model_name as {{ dbt.type_string() }}) as model_name,
        cast(importance as {{ crm_type_double() }}) as importance,
        cast(importance_std as {{ crm_type_double() }}) as importance_std,
        cast(importance_rank as {{ dbt.type_int() }}) as importance_rank
    from feature_importance
)

select * from importance_typed
