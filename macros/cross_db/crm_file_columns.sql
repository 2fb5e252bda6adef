{#
    The columns of one input file in file order, {column name: its type}, read at compile time
    in one look at the file. The type is none where the engine does not report it; a typed
    column reaches staging as the text a CSV file would hold (crm_column_as_text), the others
    are cast to text as they are (CSV files are read as text).
#}
{% macro crm_file_columns(path, format) %}
    {{ return(adapter.dispatch('crm_file_columns', 'crm_mining')(path, format)) }}
{% endmacro %}

{% macro default__crm_file_columns(path, format) %}
    {%- set result = run_query(
        "select * from " ~ crm_read_file(path, format) ~ " as input_file where 1 = 0"
    ) -%}
    {%- set columns = {} -%}
    {%- for name in result.column_names -%}
        {%- do columns.update({name: none}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro duckdb__crm_file_columns(path, format) %}
    {#- A CSV file's columns are all VARCHAR (read_csv with all_varchar). -#}
    {%- set described = run_query(
        "describe select * from " ~ crm_read_file(path, format) ~ " as input_file"
    ) -%}
    {%- set columns = {} -%}
    {%- for row in described.rows -%}
        {%- do columns.update({row['column_name']: row['column_type']}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro spark__crm_file_columns(path, format) %}
    {#- A Parquet file: the external table over it (crm_read_file) as Spark describes it. -#}
    {%- if format != 'parquet' -%}
        {{ return(default__crm_file_columns(path, format)) }}
    {%- endif -%}
    {%- set described = run_query('describe ' ~ crm_read_file(path, format)) -%}
    {%- set columns = {} -%}
    {%- set state = {'columns': true} -%}
    {%- for row in described.rows -%}
        {#- The columns come first; a blank or '#' row starts the partitioning details. -#}
        {%- if not row[0] or row[0].startswith('#') -%}
            {%- do state.update({'columns': false}) -%}
        {%- elif state['columns'] -%}
            {%- do columns.update({row[0]: row[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}
