{# Position of a row in its input file (1-based), used as its key in the audit. #}
{% macro crm_input_row_number() %}
    {{ return(adapter.dispatch('crm_input_row_number', 'crm_mining')()) }}
{% endmacro %}

{% macro default__crm_input_row_number() %}
    {#-
        DuckDB computes row_number() over () in a streaming window whose pipeline runs on one
        thread and reads the file in order, whatever preserve_insertion_order says
        (profiles.yml; tests/pytest/test_duckdb_settings.py checks it on files of several
        buffers and row groups).
    -#}
    row_number() over ()
{% endmacro %}

{% macro spark__crm_input_row_number() %}
    {#-
        Spark needs an ordered window: monotonically_increasing_id() follows the scan, whose
        partitions keep a single file's order (a CSV or Parquet input, or a seed, which
        spark__load_csv_rows writes as one file).
    -#}
    row_number() over (order by monotonically_increasing_id())
{% endmacro %}
