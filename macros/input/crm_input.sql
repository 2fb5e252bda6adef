{# Raw rows of one input of the contract, every column as text, plus source_row_number. #}
{% macro crm_input(name) %}
    {#-
        Used only by the staging models. Reads the bundled sample (dbt seeds) when the var
        data_dir is unset, else <data_dir>/<name>.csv or <data_dir>/<name>.parquet.
        A missing optional input, or an input of the other layout, reads as zero rows.
        A missing required input or column fails compilation with a message naming them.
    -#}
    {%- set spec = crm_input_contract()[name] -%}
    {%- set columns = spec['columns'] + spec['optional_columns'] -%}
    {#- Lineage only: the source documents the contract; its relation is never queried. -#}
    {%- set documented_source = source('crm', name) -%}
    {%- if var('data_dir', none) is none -%}
        {{ return(crm_sample_input(name, columns)) }}
    {%- elif not execute -%}
        {{ return(crm_empty_input(name, columns)) }}
    {%- endif -%}

    {%- set files = crm_input_files() -%}
    {%- set layout = crm_input_layout(files) -%}
    {%- set wanted = spec['layout'] in ['any', layout] -%}
    {%- if name not in files or not wanted -%}
        {%- if wanted and spec['required'] -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining input: required file '" ~ name ~ ".csv' (or '" ~ name
                ~ ".parquet') not found in data_dir '" ~ var('data_dir') ~ "' ("
                ~ layout ~ " layout needs " ~ crm_required_inputs(layout) | join(', ') ~ ")."
            ) }}
        {%- endif -%}
        {{ return(crm_empty_input(name, columns)) }}
    {%- endif -%}

    {%- set file = files[name] -%}
    {%- set present = {} -%}
    {%- for column_name in crm_file_columns(file['path'], file['format']) -%}
        {%- do present.update({column_name | lower | trim: column_name}) -%}
    {%- endfor -%}
    {%- for column in spec['columns'] if column not in present -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: file '" ~ file['path'] ~ "' lacks required column '" ~ column
            ~ "' (required: " ~ spec['columns'] | join(', ') ~ "; found: "
            ~ present.values() | list | join(', ') ~ ")."
        ) }}
    {%- endfor -%}
    (
        select
            {%- for column in columns %}
            {% if column in present -%}
            cast({{ adapter.quote(present[column]) }} as {{ dbt.type_string() }})
            {%- else -%}
            cast(null as {{ dbt.type_string() }})
            {%- endif %} as {{ column }},
            {%- endfor %}
            {{ crm_input_row_number() }} as source_row_number
        from {{ crm_read_file(file['path'], file['format']) }}
    ) as {{ name }}_input
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


{# Inputs present in data_dir: {name: {'path': ..., 'format': 'csv' | 'parquet'}}. #}
{% macro crm_input_files() %}
    {%- set data_dir = var('data_dir') | string -%}
    {%- set contract = crm_input_contract() -%}
    {%- set files = {} -%}
    {%- for path in crm_list_files(data_dir) -%}
        {%- set file_name = path.replace('\\', '/').split('/')[-1] -%}
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


{# 'flat' when data_dir holds transactions, else 'normalized'; both at once is an error. #}
{% macro crm_input_layout(files) %}
    {%- set has_flat = 'transactions' in files -%}
    {%- set has_normalized = 'orders' in files or 'order_items' in files -%}
    {%- if has_flat and has_normalized -%}
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


{# True when the run reads this input from a file or the sample (not zero rows by absence). #}
{% macro crm_input_is_present(name) %}
    {%- if var('data_dir', none) is none -%}
        {{ return(name in ['orders', 'order_items', 'customers', 'products', 'reviews']) }}
    {%- elif not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set files = crm_input_files() -%}
    {%- set spec = crm_input_contract()[name] -%}
    {{ return(name in files and spec['layout'] in ['any', crm_input_layout(files)]) }}
{% endmacro %}
