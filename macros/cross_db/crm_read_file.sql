{# A relation over one input file, every column read as text so that ids keep their zeros. #}
{% macro crm_read_file(path, format) %}
    {{ return(adapter.dispatch('crm_read_file', 'crm_mining')(path, format)) }}
{% endmacro %}

{% macro default__crm_read_file(path, format) %}
    {{ exceptions.raise_compiler_error(
        "crm_mining: crm_read_file is not implemented for adapter '" ~ adapter.type() ~ "'."
    ) }}
{% endmacro %}

{% macro duckdb__crm_read_file(path, format) %}
    {#-
        CSV: a line with fewer fields than the header reads with nulls for the missing ones
        (null_padding), so validation rejects it for the value it lacks, as Spark's CSV reader
        does. Without it one short line made DuckDB's sniffer read the whole file as a single
        column ("lacks required column"), or failed the read. DuckDB pads only in its serial
        reader when quoted fields hold line breaks (review texts do): parallel = false, about
        0.3 s more per 5 M lines read, and the rows are numbered by one thread anyway.
        comment = '': no comment character. DuckDB's sniffer otherwise picks '#' when some lines
        start with it (a Shopify order name, #1001) and drops those lines before staging counts
        them, so the reconciliation balanced without them; Spark's reader keeps them.
    -#}
    {%- if format == 'csv' -%}
        {%- set delimiter = crm_csv_delimiter() -%}
        read_csv(
            {{ crm_sql_string(path) }},
            header = true,
            all_varchar = true,
            null_padding = true,
            parallel = false,
            comment = '',
            encoding = {{ crm_sql_string(crm_input_encoding()) }}
            {%- if delimiter is not none %},
            delim = {{ crm_sql_string(delimiter) }}
            {%- endif %}
        )
    {%- else -%}
        read_parquet({{ crm_sql_string(path) }})
    {%- endif -%}
{% endmacro %}

{% macro spark__crm_read_file(path, format) %}
    {#-
        Spark SQL has no read_csv table function: an external table over the file (CSV with
        its header, every column text), recreated at each run in the schema
        <target schema>_input_files, named after a hash of the path.
    -#}
    {%- set schema_name = target.schema ~ '_input_files' -%}
    {%- set table_name = schema_name ~ '.file_' ~ local_md5(path ~ ':' ~ format) -%}
    {%- if execute -%}
        {%- do run_query('create schema if not exists ' ~ schema_name) -%}
        {%- do run_query('drop table if exists ' ~ table_name) -%}
        {%- if format == 'csv' -%}
            {%- do run_query(
                'create table ' ~ table_name ~ ' using csv options (path '
                ~ crm_sql_string(path) ~ ", header 'true', inferSchema 'false',"
                ~ " multiLine 'true', escape '\"', encoding "
                ~ crm_sql_string(crm_input_encoding()) ~ ", sep "
                ~ crm_sql_string(crm_csv_delimiter() or ',') ~ ")"
            ) -%}
        {%- else -%}
            {%- do run_query(
                'create table ' ~ table_name ~ ' using parquet options (path '
                ~ crm_sql_string(path) ~ ')'
            ) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(table_name) }}
{% endmacro %}
