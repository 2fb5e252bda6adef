{#- The var segment_top_categories as an integer, checked: 0 or more categories get a feature. -#}
{% macro crm_segment_top_categories() %}
    {%- set count = var('segment_top_categories') -%}
    {%- if count is not number or count != count | int or count < 0 -%}
        {{ exceptions.raise_compiler_error(
            "crm_mining: var segment_top_categories must be an integer of 0 or more, got '"
            ~ count ~ "'."
        ) }}
    {%- endif -%}
    {{ return(count | int) }}
{% endmacro %}
