{# The columns SQL models read from the Python model int_clv_customers_scored, with types. #}
{% macro int_clv_customers_scored_columns() %}
    {#- Ordered {name: SQL type}; crm_mining.clv.scoring.SCORE_COLUMNS writes them. -#}
    {{ return({
        'customer_id': dbt.type_string(),
        'p_alive': crm_type_double(),
        'expected_purchases': crm_type_double(),
        'expected_order_value': crm_type_double(),
        'predicted_clv': crm_type_double(),
        'clv_tier': dbt.type_string(),
        'days_to_next_purchase': dbt.type_int(),
    }) }}
{% endmacro %}
