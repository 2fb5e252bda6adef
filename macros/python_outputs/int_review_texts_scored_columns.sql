{# Columns (and SQL types) that SQL models read from the Python model int_review_texts_scored. #}
{% macro int_review_texts_scored_columns() %}
    {{ return({
        'text_hash': dbt.type_string(),
        'compound': crm_type_double(),
        'positive': crm_type_double(),
        'neutral': crm_type_double(),
        'negative': crm_type_double(),
        'is_text_truncated': dbt.type_boolean(),
    }) }}
{% endmacro %}
