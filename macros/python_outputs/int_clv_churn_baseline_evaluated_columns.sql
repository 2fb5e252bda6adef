{# The columns SQL models read from the Python model int_clv_churn_baseline_evaluated. #}
{% macro int_clv_churn_baseline_evaluated_columns() %}
    {#- Ordered {name: SQL type}; crm_mining.clv.evaluation.CHURN_BASELINE_DTYPES writes them. -#}
    {{ return({
        'training_customers': dbt.type_int(),
        'churned_training_customers': dbt.type_int(),
        'is_bgnbd_converged': dbt.type_boolean(),
        'fallback_reason': dbt.type_string(),
        'bgnbd_r': crm_type_double(),
        'bgnbd_alpha': crm_type_double(),
        'bgnbd_a': crm_type_double(),
        'bgnbd_b': crm_type_double(),
        'p_alive_roc_auc': crm_type_double(),
    }) }}
{% endmacro %}
