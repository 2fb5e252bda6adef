{# Columns (and SQL types) that SQL models read from the Python model int_churn_model_trained. #}
{% macro int_churn_model_trained_columns() %}
    {#- In the Python output's order (crm_mining.churn.METRIC_COLUMNS); model_artifact, the
        pickled model, is read by the Python models only. -#}
    {{ return({
        'model_name': dbt.type_string(),
        'is_model_trained': dbt.type_boolean(),
        'fallback_reason': dbt.type_string(),
        'calibration_method': dbt.type_string(),
        'roc_auc': crm_type_double(),
        'pr_auc': crm_type_double(),
        'brier_score': crm_type_double(),
        'max_decile_calibration_gap': crm_type_double(),
        'recency_baseline_roc_auc': crm_type_double(),
        'logistic_regression_roc_auc': crm_type_double(),
        'hist_gradient_boosting_roc_auc': crm_type_double(),
        'base_rate': crm_type_double(),
        'training_customers': dbt.type_int(),
        'churned_training_customers': dbt.type_int(),
        'fit_customers': dbt.type_int(),
        'validation_customers': dbt.type_int(),
        'scored_customers': dbt.type_int(),
        'count_features_used': dbt.type_int(),
        'features_left_out': dbt.type_string(),
        'random_seed': dbt.type_int(),
    }) }}
{% endmacro %}
