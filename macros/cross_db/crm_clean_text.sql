{# A trimmed text value, null when blank: how ids and codes are cleaned in staging. #}
{% macro crm_clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
