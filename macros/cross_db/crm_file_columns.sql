{# Column names of one input file, in file order (run at compile time). #}
{% macro crm_file_columns(path, format) %}
    {{ return(adapter.dispatch('crm_file_columns', 'crm_mining')(path, format)) }}
{% endmacro %}

{% macro default__crm_file_columns(path, format) %}
    {%- set result = run_query(
        "select * from " ~ crm_read_file(path, format) ~ " as input_file where 1 = 0"
    ) -%}
    {{ return(result.column_names | list) }}
{% endmacro %}
