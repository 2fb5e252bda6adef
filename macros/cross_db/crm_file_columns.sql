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


{#
    Types of one input file's columns, {column name: type}, where the engine reports them
    (Parquet, on DuckDB and Spark): staging writes typed columns as the text a CSV file would hold
    (crm_column_as_text). Empty: every column is cast to text as it is (CSV is read as text).
#}
{% macro crm_file_column_types(path, format) %}
    {{ return(adapter.dispatch('crm_file_column_types', 'crm_mining')(path, format)) }}
{% endmacro %}

{% macro default__crm_file_column_types(path, format) %}
    {{ return({}) }}
{% endmacro %}

{% macro duckdb__crm_file_column_types(path, format) %}
    {%- if format != 'parquet' -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set described = run_query(
        "describe select * from " ~ crm_read_file(path, format) ~ " as input_file"
    ) -%}
    {%- set types = {} -%}
    {%- for row in described.rows -%}
        {%- do types.update({row['column_name']: row['column_type']}) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}

{% macro spark__crm_file_column_types(path, format) %}
    {#- The external table over the file (crm_read_file) as Spark describes it. -#}
    {%- if format != 'parquet' or not execute -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set described = run_query('describe ' ~ crm_read_file(path, format)) -%}
    {%- set types = {} -%}
    {%- set state = {'columns': true} -%}
    {%- for row in described.rows -%}
        {#- The columns come first; a blank or '#' row starts the partitioning details. -#}
        {%- if not row[0] or row[0].startswith('#') -%}
            {%- do state.update({'columns': false}) -%}
        {%- elif state['columns'] -%}
            {%- do types.update({row[0]: row[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}
