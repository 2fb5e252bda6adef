{#
    Relations mode (var input_schema): the inputs are tables (or views) of a schema, the
    sources of models/staging/crm/_crm__sources.yml. Every value is read as text, as from a
    file, so that typed tables give the same marts as the same data in CSV.
#}

{# The source relation of an input: <input_database>.<input_schema>.<its table>. #}
{% macro crm_input_source_relation(name) %}
    {#- From the parsed source (its YAML renders the vars): works in hooks and models alike. -#}
    {%- for node in graph.sources.values()
        if node.package_name == 'crm_mining' and node.source_name == 'crm'
        and node.name == name -%}
        {{ return(api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.identifier
        )) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("crm_mining: no source crm." ~ name ~ " in the graph.") }}
{% endmacro %}


{# A relation as messages name it, unquoted: database.schema.table (or a part of it). #}
{% macro crm_relation_name(relation) %}
    {{ return([relation.database, relation.schema, relation.identifier] | select | join('.')) }}
{% endmacro %}


{# The schema of the input tables as messages name it: database.schema, or schema. #}
{% macro crm_input_schema_name() %}
    {%- set relation = crm_input_source_relation('orders') -%}
    {{ return([relation.database, relation.schema] | select | join('.')) }}
{% endmacro %}


{# The input tables that exist: {name: {'relation': the existing relation}}. #}
{% macro crm_input_relations() %}
    {%- set schema_relation = crm_input_source_relation('orders') -%}
    {%- if not adapter.check_schema_exists(schema_relation.database, schema_relation.schema) -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: schema '" ~ crm_input_schema_name() ~ "' (var input_schema"
            ~ (", input_database" if var('input_database') else "") ~ ") does not exist, or"
            ~ " the target's user cannot see it."
        ) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for name in crm_input_contract() -%}
        {%- set wanted = crm_input_source_relation(name) -%}
        {#- Looked up case-insensitively (dbt's relation cache lower-cases unquoted names). -#}
        {%- set relation = adapter.get_relation(
            database=wanted.database, schema=wanted.schema, identifier=wanted.identifier
        ) -%}
        {%- if relation is not none -%}
            {%- do found.update({name: {'relation': relation}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{% endmacro %}


{# Rows of an input table, every contract column as text, numbered in a fixed order. #}
{% macro crm_relation_input(name, columns, found) %}
    {#-
        found: crm_resolve_input(name). A table has no row order: source_row_number numbers
        the rows ordered by every contract column (as text, nulls first), so that a rebuild
        gives the same numbers; rows that tie are copies of each other in every column read.
    -#}
    (
        select
            *,
            row_number() over (
                order by
                {%- for column in columns %}
                {{ column }} nulls first{{ ',' if not loop.last }}
                {%- endfor %}
            ) as source_row_number
        from (
            select
                {%- for column in columns %}
                {% if column in found['columns'] -%}
                {{ crm_column_as_text(
                    adapter.quote(found['columns'][column]), found['types'][column]
                ) }}
                {%- else -%}
                cast(null as {{ dbt.type_string() }})
                {%- endif %} as {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ found['relation'] }}
        ) as {{ name }}_as_text
    ) as {{ name }}_input
{% endmacro %}


{# on-run-start: check every input before any node runs, so a bad input builds nothing. #}
{% macro crm_check_inputs() %}
    {#-
        Only when the invocation runs crm_mining's staging models (a consumer project's
        `dbt seed` of its own, or a build of its own models, is left alone). Files and tables
        are checked (present, required columns, readable types); the sample is ours.
    -#}
    {%- if execute and crm_input_mode() != 'sample' -%}
        {%- set staging = [] -%}
        {%- for unique_id in selected_resources
            if unique_id.startswith('model.crm_mining.stg_crm__') -%}
            {%- do staging.append(unique_id) -%}
        {%- endfor -%}
        {%- for name in crm_input_contract() if staging -%}
            {%- do crm_resolve_input(name) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
