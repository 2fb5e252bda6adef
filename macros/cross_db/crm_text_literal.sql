{# A text constant in model SQL, valid on every engine even when it holds an apostrophe. #}
{% macro crm_text_literal(value) %}
    {#-
        DuckDB writes an apostrophe as '' inside a literal, Spark as \' ('' there joins two
        adjacent literals into one without it). concat(..., chr(39), ...) means the same on
        both. Backslashes (an escape on Spark only) are refused.
    -#}
    {%- if '\\' in value -%}
        {{ exceptions.raise_compiler_error(
            "crm_text_literal: backslashes are not portable, got " ~ value
        ) }}
    {%- endif -%}
    {%- set parts = value.split("'") -%}
    {%- if parts | length == 1 -%}
        {{ return("'" ~ value ~ "'") }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for part in parts -%}
        {%- do quoted.append("'" ~ part ~ "'") -%}
    {%- endfor -%}
    {{ return('concat(' ~ quoted | join(', chr(39), ') ~ ')') }}
{% endmacro %}
