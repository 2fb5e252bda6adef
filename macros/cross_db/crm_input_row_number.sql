{# Position of a row in its input file (1-based), used as its key in the audit. #}
{% macro crm_input_row_number(input_file=none) %}
    {#-
        input_file: what crm_resolve_input found for a file input ({'format', 'file_columns',
        ...}), or none for rows read otherwise (the bundled sample's seeds).
    -#}
    {{ return(adapter.dispatch('crm_input_row_number', 'crm_mining')(input_file)) }}
{% endmacro %}

{% macro default__crm_input_row_number(input_file) %}
    {#-
        DuckDB computes row_number() over () in a streaming window whose pipeline runs on one
        thread and reads the file in order, whatever preserve_insertion_order says
        (profiles.yml; tests/pytest/test_duckdb_settings.py checks it on files of several
        buffers and row groups).
    -#}
    row_number() over ()
{% endmacro %}

{% macro duckdb__crm_input_row_number(input_file) %}
    {#-
        A Parquet scan knows each row's position in its file (the virtual column
        file_row_number, from 0), on every thread: the scan and the parsing above it stay
        parallel, where the window's pipeline runs on one thread (twice as fast on two cores
        for 10 M lines). A file column of that name would shadow it: then the window.
    -#}
    {%- if input_file is not none and input_file['format'] == 'parquet'
        and 'file_row_number' not in input_file['file_columns'] -%}
        file_row_number + 1
    {%- else -%}
        {{ default__crm_input_row_number(input_file) }}
    {%- endif -%}
{% endmacro %}

{% macro spark__crm_input_row_number(input_file) %}
    {#-
        Spark needs an ordered window: monotonically_increasing_id() follows the scan, whose
        partitions keep a single file's order (a CSV or Parquet input, or a seed, which
        spark__load_csv_rows writes as one file).
    -#}
    row_number() over (order by monotonically_increasing_id())
{% endmacro %}
