{# A text constant in model SQL, valid on every engine even when it holds an apostrophe. #}
{% macro crm_text_literal(value) %}
    {#-
        DuckDB writes an apostrophe as '' inside a literal, Spark as \' ('' there joins two
        adjacent literals into one without it), and a backslash is an escape on Spark only.
        concat(..., chr(39), ...) and chr(92) mean the same on both.
    -#}
    {%- if "'" not in value and '\\' not in value -%}
        {{ return("'" ~ value ~ "'") }}
    {%- endif -%}
    {%- set pieces = [] -%}
    {%- for part in value.split("'") -%}
        {%- if not loop.first -%}
            {%- do pieces.append('chr(39)') -%}
        {%- endif -%}
        {%- for text in part.split('\\') -%}
            {%- if not loop.first -%}
                {%- do pieces.append('chr(92)') -%}
            {%- endif -%}
            {%- if text -%}
                {%- do pieces.append("'" ~ text ~ "'") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('concat(' ~ pieces | join(', ') ~ ')') }}
{% endmacro %}
