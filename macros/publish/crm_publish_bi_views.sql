{#
    Create the views of the BI database (<export_dir>/crm_mining_marts.duckdb) that are
    missing; returns how many were created. The file can be written only when no BI tool has
    it open, so a write creates a view for every public mart of the project at once: one over
    its Parquet file, and for a mart not published yet a Parquet file of no rows with its
    contract's columns and the key-value metadata crm_mining_placeholder (replaced when the
    mart is first built; the report reads such a mart as absent, not empty). A later build of any
    selection then only swaps Parquet files. Only a crm_mining version that adds a mart
    writes the file again.
#}
{% macro crm_publish_bi_views(export_dir) %}
    {%- set database_path = export_dir ~ '/crm_mining_marts.duckdb' -%}
    {%- set existing = [] -%}
    {%- if run_query("select count(*) from glob(" ~ crm_sql_string(database_path) ~ ")")
        .columns[0].values()[0] > 0 -%}
        {#- A read-only attach coexists with BI tools reading the file. -#}
        {%- do run_query(
            "attach " ~ crm_sql_string(database_path) ~ " as crm_bi_exports (read_only)"
        ) -%}
        {%- set existing = run_query(
            "select view_name from duckdb_views() where database_name = 'crm_bi_exports'"
        ).columns[0].values() | list -%}
        {%- do run_query("detach crm_bi_exports") -%}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if crm_is_published_mart(node) and (node.alias or node.name) not in existing -%}
        {%- do missing.append(node) -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- set published = run_query(
            "select file from glob(" ~ crm_sql_string(export_dir ~ '/*.parquet') ~ ")"
        ).columns[0].values() | map('replace', '\\', '/') | list -%}
        {%- do run_query("attach " ~ crm_sql_string(database_path) ~ " as crm_bi_exports") -%}
        {%- for node in missing -%}
            {%- set parquet = export_dir ~ '/' ~ (node.alias or node.name) ~ '.parquet' -%}
            {%- if parquet not in published -%}
                {%- do run_query(
                    "copy (" ~ crm_contract_empty_select(node) ~ ") to "
                    ~ crm_sql_string(parquet) ~ " (format parquet, use_tmp_file true,"
                    ~ " kv_metadata {crm_mining_placeholder: 'not built yet'})"
                ) -%}
            {%- endif -%}
            {%- do run_query(
                "create or replace view crm_bi_exports.main."
                ~ adapter.quote(node.alias or node.name)
                ~ " as select * from read_parquet(" ~ crm_sql_string(parquet) ~ ")"
            ) -%}
        {%- endfor -%}
        {%- do run_query("detach crm_bi_exports") -%}
    {%- endif -%}
    {{ return(missing | length) }}
{% endmacro %}


{# A select of no rows with a contracted model's columns, names and types. #}
{% macro crm_contract_empty_select(node) %}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append(
            "cast(null as " ~ column.data_type ~ ") as " ~ adapter.quote(column.name)
        ) -%}
    {%- endfor -%}
    {{ return("select " ~ columns | join(', ') ~ " limit 0") }}
{% endmacro %}
