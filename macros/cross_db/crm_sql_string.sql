{# A Jinja string as a quoted SQL string literal. #}
{% macro crm_sql_string(value) %}
    {{ return(adapter.dispatch('crm_sql_string', 'crm_mining')(value)) }}
{% endmacro %}

{% macro default__crm_sql_string(value) %}
    {{ return("'" ~ (value | string).replace("'", "''") ~ "'") }}
{% endmacro %}

{% macro spark__crm_sql_string(value) %}
    {#- Spark escapes with backslashes; '' would concatenate two adjacent literals. -#}
    {{ return("'" ~ (value | string).replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
{% endmacro %}
