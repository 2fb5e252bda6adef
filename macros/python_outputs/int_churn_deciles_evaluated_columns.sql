{# Columns (name: SQL type, in order) of the Python model int_churn_deciles_evaluated. #}
{% macro int_churn_deciles_evaluated_columns() %}
    {{ return({
        'decile': dbt.type_int(),
        'customer_count': dbt.type_int(),
        'predicted_churn_rate': crm_type_double(),
        'observed_churn_rate': crm_type_double(),
        'calibration_gap': crm_type_double(),
    }) }}
{% endmacro %}
