{#
    How the values of the input files are written: the vars date_formats, decimal_separator,
    input_encoding and csv_delimiter (dbt_project.yml), checked once here.
#}

{# The var date_formats as a list of strftime formats, or none (ISO 8601). #}
{% macro crm_date_formats() %}
    {%- set formats = var('date_formats') -%}
    {%- if formats is none or formats == [] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if formats is string -%}
        {%- set formats = [formats] -%}
    {%- endif -%}
    {%- for format in formats -%}
        {%- if format is not string or '%' not in format -%}
            {{ exceptions.raise_compiler_error(
                "crm_mining: var date_formats must be a list of strftime formats such as"
                ~ " ['%d/%m/%Y %H:%M', '%d/%m/%Y'], got " ~ formats ~ "."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(formats) }}
{% endmacro %}


{# A number written in the input as text, cast to data_type (null when unreadable). #}
{% macro crm_parse_number(expression, data_type) %}
    {%- set separator = var('decimal_separator') | string -%}
    {%- if separator == '.' -%}
        {{ return(crm_try_cast(expression, data_type)) }}
    {%- elif separator == ',' -%}
        {#-
            1.234,50 and 1 234,50 are 1234.50: '.' and ' ' group thousands, in groups of three
            digits. Any other '.' (2.95, a value another tool wrote with a decimal point) is
            not read: the line is rejected naming the value, rather than read as 295. A group
            never starts a number with 0: 0.500 (half a kilogram, written with a point) is not
            read either, rather than read as 500.
        -#}
        {%- set grouped = crm_matches_pattern(
            expression, '[+-]?[1-9][0-9]{0,2}([. ][0-9]{3})+(,[0-9]*)?'
        ) -%}
        {{ return(crm_try_cast(
            "case when " ~ grouped ~ " then replace(replace(replace(" ~ expression
            ~ ", ' ', ''), '.', ''), ',', '.') when " ~ expression ~ " like '%.%' then null"
            ~ " else replace(" ~ expression ~ ", ',', '.') end",
            data_type
        )) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "crm_mining: var decimal_separator must be '.' or ',', got '" ~ separator ~ "'."
    ) }}
{% endmacro %}


{# The var input_encoding, checked: the encodings every supported engine reads. #}
{% macro crm_input_encoding() %}
    {%- set encoding = var('input_encoding') | string | lower | replace('_', '-') -%}
    {%- set aliases = {'utf8': 'utf-8', 'latin1': 'latin-1', 'iso-8859-1': 'latin-1',
                       'utf16': 'utf-16'} -%}
    {%- set encoding = aliases.get(encoding, encoding) -%}
    {%- if encoding not in ['utf-8', 'utf-16', 'latin-1'] -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var input_encoding must be 'utf-8', 'utf-16' or 'latin-1', got '"
            ~ var('input_encoding') ~ "'."
        ) }}
    {%- endif -%}
    {{ return(encoding) }}
{% endmacro %}


{# The var csv_delimiter: none (detect) or one character. #}
{% macro crm_csv_delimiter() %}
    {%- set delimiter = var('csv_delimiter') -%}
    {%- if delimiter is none or delimiter == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set delimiter = '\t' if delimiter in ['\\t', 'tab'] else delimiter | string -%}
    {%- if delimiter | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var csv_delimiter must be one character (or 'tab'), got '"
            ~ delimiter ~ "'."
        ) }}
    {%- endif -%}
    {{ return(delimiter) }}
{% endmacro %}
