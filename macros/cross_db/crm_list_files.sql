{# Paths of the files directly inside a directory (run at compile time). #}
{% macro crm_list_files(directory) %}
    {{ return(adapter.dispatch('crm_list_files', 'crm_mining')(directory)) }}
{% endmacro %}

{% macro default__crm_list_files(directory) %}
    {{ exceptions.raise_compiler_error(
        "crm_mining: reading input files from data_dir is not implemented for adapter '"
        ~ adapter.type() ~ "'; implement " ~ adapter.type() ~ "__crm_list_files."
    ) }}
{% endmacro %}

{% macro duckdb__crm_list_files(directory) %}
    {%- set pattern = directory.rstrip('/') ~ '/*' -%}
    {%- set result = run_query(
        "select file from glob(" ~ crm_sql_string(pattern) ~ ") order by file"
    ) -%}
    {%- if result.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: data_dir '" ~ directory ~ "' is empty or does not exist."
        ) }}
    {%- endif -%}
    {{ return(result.columns[0].values() | list) }}
{% endmacro %}

{% macro spark__crm_list_files(directory) %}
    {#-
        The binaryFile source lists files (its content column is never read). Hadoop's glob
        matches case-sensitively: the extensions are spelt in every case (Orders.CSV is the
        orders input, as on DuckDB); `/*` alone would also list the files of subdirectories.
    -#}
    {%- set pattern = directory.rstrip('/') ~ '/*.{[cC][sS][vV],[pP][aA][rR][qQ][uU][eE][tT]}' -%}
    {%- set result = run_query(
        'select path from binaryFile.`' ~ pattern ~ '` order by path'
    ) -%}
    {%- if result.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: data_dir '" ~ directory ~ "' is empty or does not exist."
        ) }}
    {%- endif -%}
    {{ return(result.columns[0].values() | list) }}
{% endmacro %}
