{#
    Publishing for BI tools: an operation at the end of every dbt invocation (on-run-end),
    not a model. DuckDB allows one writer process and no reader beside it, so BI tools never
    open the database dbt writes: they read copies that are swapped in atomically.

        <export_dir>/<mart>.parquet           each public mart built by this invocation
        <export_dir>/crm_mining_marts.duckdb  one view per mart over its Parquet file
        <export_dir>/published_marts_0.csv    the marts this invocation published, and rows

    A Parquet file is written by COPY ... (use_tmp_file): DuckDB writes a temporary file and
    moves it over the old one, so a reader sees the old complete file or the new one. The
    DuckDB file holds views only; it is written when a mart has no view yet (first build, or
    a new mart), never on an ordinary rebuild, so BI tools can keep it open read-only.
#}

{# on-run-end: publish the public marts that this invocation built (DuckDB targets only). #}
{% macro crm_publish_marts(results) %}
    {{ return(adapter.dispatch('crm_publish_marts', 'crm_mining')(results)) }}
{% endmacro %}

{% macro default__crm_publish_marts(results) %}
    {#- Warehouses have their own BI access: nothing to publish. -#}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__crm_publish_marts(results) %}
    {%- if not execute or not crm_publishing_on() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set marts = crm_built_public_marts(results) -%}
    {%- if marts | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set export_dir = crm_export_dir() -%}
    {%- set counts = [] -%}
    {%- for mart in marts -%}
        {%- do counts.append(
            "select " ~ crm_sql_string(mart.name) ~ " as mart_name, count(*) as row_count from "
            ~ mart.relation
        ) -%}
    {%- endfor -%}
    {#- The manifest goes first: a per-thread COPY creates its directory when missing, which
        SQL has no other way to do, so export_dir exists before the marts are copied. -#}
    {%- do run_query(
        "copy (" ~ counts | join(' union all ') ~ " order by mart_name) to "
        ~ crm_sql_string(export_dir) ~ " (format csv, header true, per_thread_output true,"
        ~ " filename_pattern 'published_marts_{i}', overwrite_or_ignore true)"
    ) -%}
    {%- for mart in marts -%}
        {%- do run_query(
            "copy (select * from " ~ mart.relation ~ ") to "
            ~ crm_sql_string(export_dir ~ '/' ~ mart.name ~ '.parquet')
            ~ " (format parquet, use_tmp_file true)"
        ) -%}
    {%- endfor -%}
    {%- set new_views = crm_publish_bi_views(export_dir) -%}
    {%- do log(
        "crm_mining: published " ~ marts | length ~ " marts to " ~ export_dir
        ~ (" and added " ~ new_views ~ " views to crm_mining_marts.duckdb" if new_views else ""),
        info=true
    ) -%}
    {{ return('') }}
{% endmacro %}


{# The var publish_marts; null: on in the crm_mining project, off where it is a package. #}
{% macro crm_publishing_on() %}
    {%- set configured = var('publish_marts') -%}
    {{ return(project_name == 'crm_mining' if configured is none else configured) }}
{% endmacro %}


{# The public marts (group marts, tables) whose build succeeded in this invocation. #}
{% macro crm_built_public_marts(results) %}
    {%- set marts = [] -%}
    {%- for result in results
        if result.node.resource_type == 'model'
        and result.status == 'success'
        and result.node.package_name == 'crm_mining'
        and result.node.config.get('access') == 'public'
        and result.node.config.get('group') == 'marts'
        and result.node.config.materialized == 'table' -%}
        {%- do marts.append({
            'name': result.node.alias or result.node.name,
            'relation': adapter.get_relation(
                database=result.node.database,
                schema=result.node.schema,
                identifier=result.node.alias or result.node.name,
            ),
        }) -%}
    {%- endfor -%}
    {{ return(marts | sort(attribute='name')) }}
{% endmacro %}


{# The export directory: the var export_dir (absolute), else exports/ beside the database. #}
{% macro crm_export_dir() %}
    {%- set configured = var('export_dir') -%}
    {%- if configured -%}
        {%- set export_dir = configured | string -%}
        {%- if not export_dir.startswith('/') and ':' not in export_dir[:3] -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining: var export_dir must be an absolute path, got '" ~ export_dir ~ "'."
            ) }}
        {%- endif -%}
        {{ return(export_dir.rstrip('/')) }}
    {%- endif -%}
    {%- set database_file = run_query(
        "select path from duckdb_databases() where database_name = current_database()"
    ).columns[0].values()[0] -%}
    {%- if database_file is none -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: an in-memory DuckDB database has no directory to publish beside:"
            ~ " set the var export_dir (an absolute path) or publish_marts: false."
        ) }}
    {%- endif -%}
    {{ return(database_file.replace('\\', '/').rsplit('/', 1)[0] ~ '/exports') }}
{% endmacro %}


{# Create the views of the BI database that are missing; returns how many were created. #}
{% macro crm_publish_bi_views(export_dir) %}
    {%- set database_path = export_dir ~ '/crm_mining_marts.duckdb' -%}
    {%- set parquet_files = run_query(
        "select file from glob(" ~ crm_sql_string(export_dir ~ '/*.parquet')
        ~ ") order by file"
    ).columns[0].values() -%}
    {%- set wanted = {} -%}
    {%- for file in parquet_files -%}
        {%- do wanted.update({file.replace('\\', '/').rsplit('/', 1)[1][:-8]: file}) -%}
    {%- endfor -%}
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
    {%- for name in wanted if name not in existing -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- do run_query("attach " ~ crm_sql_string(database_path) ~ " as crm_bi_exports") -%}
        {%- for name in missing -%}
            {%- do run_query(
                "create or replace view crm_bi_exports.main." ~ adapter.quote(name)
                ~ " as select * from read_parquet(" ~ crm_sql_string(wanted[name]) ~ ")"
            ) -%}
        {%- endfor -%}
        {%- do run_query("detach crm_bi_exports") -%}
    {%- endif -%}
    {{ return(missing | length) }}
{% endmacro %}
