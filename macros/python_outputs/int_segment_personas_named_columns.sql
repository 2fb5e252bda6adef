{# Columns (and SQL types) that SQL models read from the Python model int_segment_personas_named. #}
{% macro int_segment_personas_named_columns() %}
    {{ return({
        'segment_id': dbt.type_int(),
        'persona_name': dbt.type_string(),
        'persona_description': dbt.type_string(),
    }) }}
{% endmacro %}
