{#-
    The var non_product_ids (postage, fees, adjustments: kept in revenue, left out of the rules
    and lists), checked: a list of non-empty texts (integers are read as their digits, as a
    YAML list of numeric codes gives them), trimmed, each once.
-#}
{% macro crm_non_product_ids() %}
    {%- set ids = var('non_product_ids') or [] -%}
    {%- set rejected = [] -%}
    {%- if ids is string or ids is mapping or ids is not iterable -%}
        {%- do rejected.append(ids) -%}
    {%- else -%}
        {%- for value in ids -%}
            {%- if value is sameas true or value is sameas false
                or not (value is string or (value is number and value | int == value))
                or (value | string | trim) == '' -%}
                {%- do rejected.append(value) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set is_valid = rejected | length == 0 -%}
    {%- if not is_valid -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var non_product_ids must be a list of product ids (non-empty texts),"
            ~ " e.g. ['POST', 'M'], or []; got " ~ ids ~ "."
        ) }}
    {%- endif -%}
    {{ return(ids | map('string') | map('trim') | unique(case_sensitive=true) | sort | list) }}
{% endmacro %}

{#-
    A boolean SQL expression: true when the column holds a product id of the var
    non_product_ids, false otherwise (null included); the constant false when the list is empty.
    A simple CASE, not `in (...)`, as in crm_clean_text: DuckDB plans a list of constants as a
    join.
-#}
{% macro crm_is_non_product(column) -%}
    {%- set ids = crm_non_product_ids() -%}
    {%- if ids | length == 0 -%}
        false
    {%- else -%}
        case {{ column }}
        {%- for id in ids %} when {{ crm_text_literal(id) }} then true{% endfor %}
        else false end
    {%- endif -%}
{%- endmacro %}
