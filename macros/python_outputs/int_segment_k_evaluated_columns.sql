{# Columns (and SQL types) that SQL models read from the Python model int_segment_k_evaluated. #}
{% macro int_segment_k_evaluated_columns() %}
    {{ return({
        'k': dbt.type_int(),
        'silhouette': crm_type_double(),
        'sample_inertia': crm_type_double(),
        'is_k_evaluated': dbt.type_boolean(),
        'is_chosen_k': dbt.type_boolean(),
    }) }}
{% endmacro %}
