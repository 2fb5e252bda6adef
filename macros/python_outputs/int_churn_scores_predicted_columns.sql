{# Columns (and SQL types) that SQL models read from the Python model int_churn_scores_predicted. #}
{% macro int_churn_scores_predicted_columns() %}
    {#- customer_id, the key, comes from the scoring snapshot when Python models are off. -#}
    {{ return({
        'churn_probability': crm_type_double(),
        'churn_risk_band': dbt.type_string(),
        'main_driver': dbt.type_string(),
        'churn_drivers': dbt.type_string(),
        'model_name': dbt.type_string(),
        'is_fallback_score': dbt.type_boolean(),
    }) }}
{% endmacro %}
