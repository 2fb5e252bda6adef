{# Position of a row in its input file (1-based), used as its key in the audit. #}
{% macro crm_input_row_number() %}
    {{ return(adapter.dispatch('crm_input_row_number', 'crm_mining')()) }}
{% endmacro %}

{% macro default__crm_input_row_number() %}
    {#- DuckDB scans in file order when preserve_insertion_order is on (profiles.yml). -#}
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
