{# Where one input is read from (none: zero rows), checked against the contract. #}
{% macro crm_resolve_input(name) %}
    {#-
        Files: {'path', 'format', 'columns': {contract column: column name in the file},
        'types': {contract column: its type}, where the engine reports it}.
        Relations: {'relation', 'columns': {...}, 'types': {contract column: its data type}}.
        Both: 'file_columns', every column name of the input, lowercased and trimmed (the
        Parquet numbering of duckdb__crm_input_row_number reads it).
        Fails naming the input and the column when a required input or column is missing.
        Needs the database (execute); not for the sample.
    -#}
    {%- set spec = crm_input_contract()[name] -%}
    {%- set relations_mode = crm_input_mode() == 'relations' -%}
    {%- set inputs = crm_inputs() -%}
    {%- set layout = crm_input_layout(inputs) -%}
    {%- set wanted = spec['layout'] in ['any', layout] -%}
    {%- if name not in inputs or not wanted -%}
        {%- if wanted and spec['required'] and relations_mode -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining input: required table '"
                ~ crm_relation_name(crm_input_source_relation(name)) ~ "' not found ("
                ~ layout ~ " layout needs " ~ crm_required_inputs(layout) | join(', ')
                ~ "; another table name: the var input_tables, e.g. {" ~ name ~ ": my_"
                ~ name ~ "})."
            ) }}
        {%- elif wanted and spec['required'] -%}
            {%- set found_names = [] -%}
            {%- for path in crm_list_files(var('data_dir') | string) -%}
                {%- do found_names.append(crm_file_name(path)) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining input: required file '" ~ name ~ ".csv' (or '" ~ name
                ~ ".parquet') not found in data_dir '" ~ var('data_dir') ~ "' ("
                ~ layout ~ " layout needs " ~ crm_required_inputs(layout) | join(', ')
                ~ "; the " ~ ('normalized' if layout == 'flat' else 'flat') ~ " layout needs "
                ~ crm_required_inputs('normalized' if layout == 'flat' else 'flat') | join(', ')
                ~ "). Files found: " ~ ((found_names | sort | join(', ')) or 'none') ~ "."
            ) }}
        {%- endif -%}
        {{ return(none) }}
    {%- endif -%}

    {%- set found = inputs[name] -%}
    {%- set where = ("table '" ~ crm_relation_name(found['relation']) ~ "'") if relations_mode
        else ("file '" ~ found['path'] ~ "'") -%}
    {%- set column_names = {} -%}
    {%- set column_types = {} -%}
    {%- if relations_mode -%}
        {%- for column in adapter.get_columns_in_relation(found['relation']) -%}
            {%- do column_names.update({column.name | lower | trim: column.name}) -%}
            {%- do column_types.update({column.name | lower | trim: column.dtype}) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set columns_in_file = crm_file_columns(found['path'], found['format']) -%}
        {%- for column_name, type_name in columns_in_file.items() -%}
            {%- do column_names.update({column_name | lower | trim: column_name}) -%}
            {%- if type_name is not none -%}
                {%- do column_types.update({column_name | lower | trim: type_name}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set one_csv_column = not relations_mode and found['format'] == 'csv'
        and column_names | length == 1 -%}
    {%- for column in spec['columns'] if column not in column_names -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining input: " ~ where ~ " lacks required column '" ~ column
            ~ "' (required: " ~ spec['columns'] | join(', ') ~ "; found: "
            ~ column_names.values() | list | join(', ') ~ ")."
            ~ (" Only one column was read: the file is empty, has no header line, or its"
                ~ " delimiter was not detected (the var csv_delimiter sets it, e.g. ';')."
                if one_csv_column else "")
        ) }}
    {%- endfor -%}
    {%- set columns = {} -%}
    {%- set types = {} -%}
    {%- for column in spec['columns'] + spec['optional_columns'] if column in column_names -%}
        {%- do columns.update({column: column_names[column]}) -%}
        {#- A file's nested or binary column is cast to text as it is (DuckDB's text of it). -#}
        {%- if column in column_types
            and crm_column_as_text('x', column_types[column]) is not none -%}
            {%- do types.update({column: column_types[column]}) -%}
        {%- elif relations_mode -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining input: column '" ~ column_names[column] ~ "' of " ~ where
                ~ " has type " ~ column_types[column] ~ ", which cannot be read as text"
                ~ " (nested and binary types cannot); give the input a view that"
                ~ " selects it as text, a number or a date."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(crm_merged(found, {
        'columns': columns, 'types': types, 'file_columns': column_names.keys() | list
    })) }}
{% endmacro %}


{# A new dict: first's items, then second's. #}
{% macro crm_merged(first, second) %}
    {%- set merged = {} -%}
    {%- do merged.update(first) -%}
    {%- do merged.update(second) -%}
    {{ return(merged) }}
{% endmacro %}
