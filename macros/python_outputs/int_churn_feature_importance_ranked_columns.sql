{# Columns (and SQL types) SQL reads from the Python model int_churn_feature_importance_ranked. #}
{% macro int_churn_feature_importance_ranked_columns() %}
    {{ return({
        'feature_name': dbt.type_string(),
        'feature_label': dbt.type_string(),
        'importance': crm_type_double(),
        'importance_std': crm_type_double(),
        'importance_rank': dbt.type_int(),
        'model_name': dbt.type_string(),
    }) }}
{% endmacro %}
