{#
    Columns (and SQL types) that SQL models read from the Python model int_segment_model_fitted
    (model_json is read by the downstream Python models only).
#}
{% macro int_segment_model_fitted_columns() %}
    {{ return({
        'algorithm': dbt.type_string(),
        'features_used': dbt.type_string(),
        'features_dropped': dbt.type_string(),
        'feature_drop_reasons': dbt.type_string(),
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
{% endmacro %}
