{# An 8-byte floating point type (dbt.type_float() is 4 bytes on DuckDB). #}
{% macro crm_type_double() %}
    {{ return(adapter.dispatch('crm_type_double', 'crm_mining')()) }}
{% endmacro %}

{% macro default__crm_type_double() %}
    {{ return('double precision') }}
{% endmacro %}

{% macro duckdb__crm_type_double() %}
    {{ return('double') }}
{% endmacro %}

{% macro spark__crm_type_double() %}
    {{ return('double') }}
{% endmacro %}
