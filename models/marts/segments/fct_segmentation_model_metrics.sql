{#- One row per k tried (segment_k_min..segment_k_max): its silhouette, and the chosen model. -#}
with

{# Targets without Python models: no k evaluated, no row. #}
k_evaluated as (
    select * from {{ crm_python_model_relation('int_segment_k_evaluated', {
        'k': dbt.type_int(),
        'silhouette': crm_type_double(),
        'sample_inertia': crm_type_double(),
        'is_k_evaluated': dbt.type_boolean(),
        'is_chosen_k': dbt.type_boolean(),
    }) }}
),

model_fitted as (
    select * from {{ crm_python_model_relation('int_segment_model_fitted', {
        'algorithm': dbt.type_string(),
        'features_used': dbt.type_string(),
        'features_dropped': dbt.type_string(),
        'fallback_reason': dbt.type_string(),
        'chosen_k': dbt.type_int(),
        'chosen_silhouette': crm_type_double(),
        'inertia': crm_type_double(),
        'customers_clustered': dbt.type_int(),
        'sample_customers': dbt.type_int(),
        'distinct_sample_profiles': dbt.type_int(),
        'feature_count': dbt.type_int(),
        'n_init': dbt.type_int(),
        'random_seed': dbt.type_int(),
    }) }}
),

analysis_date as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

metrics_typed as (
    select
        ---------- ids
        cast(k_evaluated.k as {{ dbt.type_int() }}) as k,

        ---------- strings
        cast(model_fitted.algorithm as {{ dbt.type_string() }}) as algorithm,
        cast(model_fitted.features_used as {{ dbt.type_string() }}) as features_used,
        cast(model_fitted.features_dropped as {{ dbt.type_string() }}) as features_dropped,
        cast(model_fitted.fallback_reason as {{ dbt.type_string() }}) as fallback_reason,

        ---------- numerics: this k, on the selection sample
        cast(k_evaluated.silhouette as {{ crm_type_double() }}) as silhouette,
        cast(k_evaluated.sample_inertia as {{ crm_type_double() }}) as sample_inertia,

        ---------- numerics: the chosen segmentation
        cast(model_fitted.chosen_k as {{ dbt.type_int() }}) as chosen_k,
        cast(model_fitted.chosen_silhouette as {{ crm_type_double() }}) as chosen_silhouette,
        cast(model_fitted.inertia as {{ crm_type_double() }}) as inertia,
        cast(model_fitted.customers_clustered as {{ dbt.type_int() }}) as customers_clustered,
        cast(model_fitted.sample_customers as {{ dbt.type_int() }}) as sample_customers,
        cast(model_fitted.distinct_sample_profiles as {{ dbt.type_int() }})
            as distinct_sample_profiles,
        cast(model_fitted.feature_count as {{ dbt.type_int() }}) as feature_count,
        cast(model_fitted.n_init as {{ dbt.type_int() }}) as n_init,
        cast(model_fitted.random_seed as {{ dbt.type_int() }}) as random_seed,

        ---------- booleans
        cast(k_evaluated.is_k_evaluated as {{ dbt.type_boolean() }}) as is_k_evaluated,
        cast(k_evaluated.is_chosen_k as {{ dbt.type_boolean() }}) as is_chosen_k,

        ---------- dates
        cast(analysis_date.as_of_date as date) as as_of_date

    from k_evaluated
    cross join model_fitted
    cross join analysis_date
)

select * from metrics_typed
