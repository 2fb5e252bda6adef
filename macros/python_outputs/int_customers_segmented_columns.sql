{# Columns (and SQL types) that SQL models read from the Python model int_customers_segmented. #}
{% macro int_customers_segmented_columns() %}
    {{ return({
        'customer_id': dbt.type_string(),
        'segment_id': dbt.type_int(),
        'distance_to_centroid': crm_type_double(),
    }) }}
{% endmacro %}
