{#
    Publishing for BI tools: an operation at the end of every dbt invocation (on-run-end),
    not a model. DuckDB allows one writer process and no reader beside it, so BI tools never
    open the database dbt writes: they read copies that are swapped in atomically.

        <export_dir>/<mart>.parquet           each public mart built by this invocation
        <export_dir>/crm_mining_marts.duckdb  one view per mart over its Parquet file
        <export_dir>/published_marts_0.csv    the marts this invocation published, and rows

    A Parquet file is written by COPY ... (use_tmp_file): DuckDB writes a temporary file and
    moves it over the old one, so a reader sees the old complete file or the new one. The
    DuckDB file holds views only (crm_publish_bi_views.sql); it is written when a mart has no
    view yet (the first publication, or a mart a new crm_mining version adds), never on an
    ordinary rebuild, so BI tools can keep it open read-only.

    A mart that failed one of its tests in this invocation is not published: BI tools keep
    the version published before, and the log names it.
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
    {%- set selected = crm_marts_to_publish(results) -%}
    {%- if selected.withheld -%}
        {%- do log(
            "crm_mining: not published, a test of theirs failed: "
            ~ selected.withheld | join(', ') ~ " (BI tools keep the version published before)",
            info=true
        ) -%}
    {%- endif -%}
    {%- set marts = [] -%}
    {%- for node in selected.published -%}
        {%- do marts.append({
            'name': node.alias or node.name,
            'relation': adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias or node.name
            ),
        }) -%}
    {%- endfor -%}
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


{# Is a node a public mart of crm_mining (group marts, a table)? What is published. #}
{% macro crm_is_published_mart(node) %}
    {{ return(
        node.resource_type == 'model'
        and node.package_name == 'crm_mining'
        and node.config.get('access') == 'public'
        and node.config.get('group') == 'marts'
        and node.config.materialized == 'table'
    ) }}
{% endmacro %}


{#
    The public marts this invocation built, split: {'published': [nodes, by name], 'withheld':
    [names]}. Withheld: a test attached to the mart (or, for a test attached to none, any model
    it reads) failed or errored; a warning does not withhold.
#}
{% macro crm_marts_to_publish(results) %}
    {%- set failed_models = [] -%}
    {%- for result in results
        if result.node.resource_type == 'test' and result.status in ['fail', 'error'] -%}
        {%- set attached = result.node.attached_node -%}
        {%- do failed_models.extend(
            [attached] if attached else result.node.depends_on.nodes
        ) -%}
    {%- endfor -%}
    {%- set published, withheld = [], [] -%}
    {%- for result in results
        if crm_is_published_mart(result.node) and result.status == 'success' -%}
        {%- if result.node.unique_id in failed_models -%}
            {%- do withheld.append(result.node.alias or result.node.name) -%}
        {%- else -%}
            {%- do published.append(result.node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'published': published | sort(attribute='name'), 'withheld': withheld | sort}) }}
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
