{# Raw rows of one input of the contract, every column as text, plus source_row_number. #}
{% macro crm_input(name) %}
    {#-
        Used only by the staging models. Reads, by crm_input_mode():
        - relations: the table of source('crm', name) (vars input_schema, input_tables);
        - files: <data_dir>/<name>.csv or <data_dir>/<name>.parquet;
        - sample: the bundled sample (dbt seeds).
        A missing optional input, or an input of the other layout, reads as zero rows.
        A missing required input or column fails compilation with a message naming them.
    -#}
    {%- set spec = crm_input_contract()[name] -%}
    {%- set columns = spec['columns'] + spec['optional_columns'] -%}
    {%- set mode = crm_input_mode() -%}
    {#- In every mode the source documents the contract in the lineage; relations mode reads it. -#}
    {%- set documented_source = source('crm', name) -%}
    {%- if mode == 'sample' -%}
        {{ return(crm_sample_input(name, columns)) }}
    {%- elif not execute -%}
        {{ return(crm_empty_input(name, columns)) }}
    {%- endif -%}
    {%- set found = crm_resolve_input(name) -%}
    {%- if found is none -%}
        {{ return(crm_empty_input(name, columns)) }}
    {%- elif mode == 'relations' -%}
        {{ return(crm_relation_input(name, columns, found)) }}
    {%- endif -%}
    (
        select
            {%- for column in columns %}
            {% if column in found['types'] -%}
            {{ crm_column_as_text(
                adapter.quote(found['columns'][column]), found['types'][column]
            ) }}
            {%- elif column in found['columns'] -%}
            cast({{ adapter.quote(found['columns'][column]) }} as {{ dbt.type_string() }})
            {%- else -%}
            cast(null as {{ dbt.type_string() }})
            {%- endif %} as {{ column }},
            {%- endfor %}
            {{ crm_input_row_number(found) }} as source_row_number
        from {{ crm_read_file(found['path'], found['format']) }}
    ) as {{ name }}_input
{% endmacro %}


{# Where the inputs come from: 'relations' (var input_schema), 'files' (data_dir), 'sample'. #}
{% macro crm_input_mode() %}
    {%- set data_dir = var('data_dir') or none -%}
    {%- set input_schema = var('input_schema') or none -%}
    {%- if data_dir is not none and input_schema is not none -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: both data_dir ('" ~ data_dir ~ "') and input_schema ('"
            ~ input_schema ~ "') are set; set one: data_dir reads input files, input_schema"
            ~ " reads the input tables of a schema."
        ) }}
    {%- endif -%}
    {#- Without input_schema these vars would be ignored: files or the sample read instead. -#}
    {%- for var_name in ['input_database', 'input_tables', 'input_loaded_at_columns']
        if var(var_name) and input_schema is none -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: var " ~ var_name ~ " is set but input_schema is not; "
            ~ var_name ~ " is for the input tables of input_schema (relations mode)"
            ~ (", and data_dir ('" ~ data_dir ~ "') reads files" if data_dir else "") ~ "."
        ) }}
    {%- endfor -%}
    {%- for var_name in ['input_tables', 'input_loaded_at_columns'] -%}
        {%- set unknown = [] -%}
        {%- for name in var(var_name) if name not in crm_input_contract() -%}
            {%- do unknown.append(name) -%}
        {%- endfor -%}
        {%- if unknown -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining input: var " ~ var_name ~ " names no input '" ~ unknown | join("', '")
                ~ "' (inputs: " ~ crm_input_contract().keys() | join(', ') ~ ")."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('relations' if input_schema is not none
        else 'files' if data_dir is not none else 'sample') }}
{% endmacro %}


{# The bundled sample: seed sample_<name>, or zero rows for inputs the sample lacks. #}
{% macro crm_sample_input(name, columns) %}
    {%- if name not in ['orders', 'order_items', 'customers', 'products', 'reviews'] -%}
        {{ return(crm_empty_input(name, columns)) }}
    {%- endif -%}
    (
        select
            {%- for column in columns %}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
            {{ crm_input_row_number() }} as source_row_number
        from {{ ref('sample_' ~ name) }}
    ) as {{ name }}_input
{% endmacro %}


{# Zero rows with the columns of an input: what a missing optional input reads as. #}
{% macro crm_empty_input(name, columns) %}
    (
        select
            {%- for column in columns %}
            cast(null as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
            cast(null as {{ dbt.type_bigint() }}) as source_row_number
        where 1 = 0
    ) as {{ name }}_input
{% endmacro %}


{# The inputs of the mode (not the sample's): crm_input_relations() or crm_input_files(). #}
{% macro crm_inputs() %}
    {{ return(crm_input_relations() if crm_input_mode() == 'relations' else crm_input_files()) }}
{% endmacro %}


{# The last part of a file path (either separator). #}
{% macro crm_file_name(path) %}
    {{ return(path.replace('\\', '/').split('/')[-1]) }}
{% endmacro %}


{#
    Inputs present in data_dir: {name: {'path': ..., 'format': 'csv' | 'parquet'}}. File names
    match whatever their case (Orders.CSV is the orders input): exports from Windows tools
    capitalise them, and an optional input must not be skipped for it.
#}
{% macro crm_input_files() %}
    {%- set data_dir = var('data_dir') | string -%}
    {%- set contract = crm_input_contract() -%}
    {%- set files = {} -%}
    {%- for path in crm_list_files(data_dir) -%}
        {%- set file_name = crm_file_name(path) | lower -%}
        {%- for format in ['csv', 'parquet'] -%}
            {%- set name = file_name[:-(format | length + 1)] -%}
            {%- if file_name.endswith('.' ~ format) and name in contract -%}
                {%- if name in files -%}
                    {{ exceptions.raise_compiler_error(
                        "crm_mining input: both '" ~ files[name]['path'] ~ "' and '" ~ path
                        ~ "' found; keep one file per input."
                    ) }}
                {%- endif -%}
                {%- do files.update({name: {'path': path, 'format': format}}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{# 'flat' when the inputs hold transactions, else 'normalized'; both at once is an error. #}
{% macro crm_input_layout(inputs) %}
    {%- set has_flat = 'transactions' in inputs -%}
    {%- set has_normalized = 'orders' in inputs or 'order_items' in inputs -%}
    {%- if has_flat and has_normalized and crm_input_mode() == 'relations' -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: schema '" ~ crm_input_schema_name() ~ "' holds both the flat"
            ~ " layout (table " ~ crm_relation_name(inputs['transactions']['relation'])
            ~ ") and the normalized"
            ~ " layout (orders, order_items); keep one, or name other tables with the var"
            ~ " input_tables."
        ) }}
    {%- elif has_flat and has_normalized -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: data_dir '" ~ var('data_dir') ~ "' holds both the flat layout"
            ~ " (transactions) and the normalized layout (orders, order_items); keep one."
        ) }}
    {%- endif -%}
    {{ return('flat' if has_flat else 'normalized') }}
{% endmacro %}


{# Names of the inputs a layout cannot do without. #}
{% macro crm_required_inputs(layout) %}
    {%- set required = [] -%}
    {%- for name, spec in crm_input_contract().items() -%}
        {%- if spec['required'] and spec['layout'] == layout -%}
            {%- do required.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(required) }}
{% endmacro %}


{# True when the run reads this input (from a table, a file or the sample). #}
{% macro crm_input_is_present(name) %}
    {%- if crm_input_mode() == 'sample' -%}
        {{ return(name in ['orders', 'order_items', 'customers', 'products', 'reviews']) }}
    {%- elif not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(crm_resolve_input(name) is not none) }}
{% endmacro %}
