{#- One row per feature of the chosen churn model: permutation importance on validation. -#}
with

feature_importance as (
    select * from {{ ref('int_churn_feature_importance_ranked') }}
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
