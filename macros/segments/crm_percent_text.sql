{# A share in [0, 1] as a whole percentage text, e.g. 0.814 -> '81%'. #}
{% macro crm_percent_text(share) -%}
    cast(cast(round(100 * {{ share }}) as {{ dbt.type_int() }}) as {{ dbt.type_string() }}) || '%'
{%- endmacro %}
