{# Cast that yields null instead of failing (dbt.safe_cast is a plain cast on DuckDB). #}
{% macro crm_try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('crm_try_cast', 'crm_mining')(expression, data_type)) }}
{%- endmacro %}

{% macro default__crm_try_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__crm_try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__crm_try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
