{#-
    A trimmed text value, null when blank or one of the var input_null_values (NULL, NA, ...):
    how every contract column but review_text is cleaned in staging.
-#}
{% macro crm_clean_text(column) -%}
    {%- set markers = crm_input_null_values() -%}
    {%- if markers -%}
        {#- the length test first: ids and dates are longer than every marker (half the cost) -#}
        case
            when
                length(trim({{ column }})) <= {{ markers | map('length') | max }}
                and trim({{ column }}) in ('',
                {%- for marker in markers %} {{ crm_text_literal(marker) }}
                {{- ',' if not loop.last }}{% endfor %}) then null
            else trim({{ column }})
        end
    {%- else -%}
        nullif(trim({{ column }}), '')
    {%- endif -%}
{%- endmacro %}

{#- The var input_null_values, checked: a list of non-empty texts. -#}
{% macro crm_input_null_values() %}
    {%- set markers = var('input_null_values') or [] -%}
    {%- set is_valid = markers is iterable and markers is not string
        and markers | reject('string') | list | length == 0
        and markers | select('equalto', '') | list | length == 0 -%}
    {%- if not is_valid -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var input_null_values must be a list of non-empty texts, e.g."
            ~ " ['NULL', 'NA'], or []; got " ~ markers ~ "."
        ) }}
    {%- endif -%}
    {{ return(markers | map('trim') | unique(case_sensitive=true) | list) }}
{% endmacro %}
